{#- An ordered list aggregate, optionally filtered, per engine. -#}
{% macro ordered_list(value, order_by, where=none) -%}
    {{ return(adapter.dispatch('ordered_list', 'graphlets')(value, order_by, where)) }}
{%- endmacro %}

{% macro default__ordered_list(value, order_by, where=none) -%}
    array_agg({{ value }} order by {{ order_by }})
    {%- if where %} filter (where {{ where }}){% endif %}
{%- endmacro %}

{% macro duckdb__ordered_list(value, order_by, where=none) -%}
    list({{ value }} order by {{ order_by }})
    {%- if where %} filter (where {{ where }}){% endif %}
{%- endmacro %}

{#- Spark has no ordered aggregate: collect (sort key, value) pairs, sort, keep the
    values. Like the others it is null, not empty, when no row is kept. -#}
{% macro spark__ordered_list(value, order_by, where=none) -%}
    {%- set kept = where or 'true' -%}
    case when count(case when {{ kept }} then 1 end) > 0 then transform(
        array_sort(collect_list(case when {{ kept }} then
            named_struct('sort_key', {{ order_by }}, 'value', {{ value }}) end)),
        entry -> entry.value
    ) end
{%- endmacro %}
