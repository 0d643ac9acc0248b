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
