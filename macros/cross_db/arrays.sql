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
