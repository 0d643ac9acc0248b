{#- True when every element of `array_column` is one of `values` (a Jinja list of
    strings), and the array is not empty. -#}
{% macro array_within(array_column, values) -%}
    {{ return(adapter.dispatch('array_within', 'graphlets')(array_column, values)) }}
{%- endmacro %}

{% macro default__array_within(array_column, values) -%}
    (cardinality({{ array_column }}) > 0 and cardinality(array_except(
        {{ array_column }},
        array[{%- for v in values %}'{{ v }}'{{ ', ' if not loop.last }}{% endfor -%}]
    )) = 0)
{%- endmacro %}

{% macro duckdb__array_within(array_column, values) -%}
    (len({{ array_column }}) > 0 and list_has_all(
        [{%- for v in values %}'{{ v }}'{{ ', ' if not loop.last }}{% endfor -%}],
        {{ array_column }}
    ))
{%- endmacro %}

{% macro spark__array_within(array_column, values) -%}
    (size({{ array_column }}) > 0 and size(array_except(
        {{ array_column }},
        array({%- for v in values %}'{{ v }}'{{ ', ' if not loop.last }}{% endfor -%})
    )) = 0)
{%- endmacro %}

{#- How many elements two arrays share (as sets). -#}
{% macro array_overlap_count(left_array, right_array) -%}
    {{ return(adapter.dispatch('array_overlap_count', 'graphlets')(left_array, right_array)) }}
{%- endmacro %}

{% macro default__array_overlap_count(left_array, right_array) -%}
    cardinality(array_intersect({{ left_array }}, {{ right_array }}))
{%- endmacro %}

{% macro duckdb__array_overlap_count(left_array, right_array) -%}
    len(list_intersect({{ left_array }}, {{ right_array }}))
{%- endmacro %}

{% macro spark__array_overlap_count(left_array, right_array) -%}
    size(array_intersect({{ left_array }}, {{ right_array }}))
{%- endmacro %}

{#- An empty array literal (its element type comes from the context, e.g. coalesce). -#}
{% macro empty_array() -%}
    {{ return(adapter.dispatch('empty_array', 'graphlets')()) }}
{%- endmacro %}

{% macro default__empty_array() -%}
    array()
{%- endmacro %}

{% macro duckdb__empty_array() -%}
    []
{%- endmacro %}

{#- A one-element array holding `expression`. -#}
{% macro list_of_one(expression) -%}
    {{ return(adapter.dispatch('list_of_one', 'graphlets')(expression)) }}
{%- endmacro %}

{% macro default__list_of_one(expression) -%}
    array({{ expression }})
{%- endmacro %}

{% macro duckdb__list_of_one(expression) -%}
    [{{ expression }}]
{%- endmacro %}
