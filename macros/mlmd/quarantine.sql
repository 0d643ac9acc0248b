{#- The first reason that applies, as a `case` expression; null when a row is fine.
    `checks` is a list of (condition, reason) pairs in priority order; a `none` entry
    (a check that does not apply to this table) is skipped. -#}
{% macro first_reason(checks) -%}
    case
    {%- for condition, reason in checks | reject('none') %}
        when {{ condition }} then '{{ reason }}'
    {%- endfor %}
    end
{%- endmacro %}

{#- A row of `relation_alias` as JSON text, so a quarantined row keeps every raw value. -#}
{% macro row_as_json(relation_alias) -%}
    {{ return(adapter.dispatch('row_as_json', 'graphlets')(relation_alias)) }}
{%- endmacro %}

{% macro default__row_as_json(relation_alias) -%}
    to_json(struct(*))
{%- endmacro %}

{#- Spark leaves null fields out of JSON unless told; DuckDB writes them. -#}
{% macro spark__row_as_json(relation_alias) -%}
    to_json(struct(*), map('ignoreNullFields', 'false'))
{%- endmacro %}

{% macro duckdb__row_as_json(relation_alias) -%}
    cast(to_json({{ relation_alias }}) as varchar)
{%- endmacro %}
