{#- Engine-specific helpers for the waste-cause and pruning models (definitions §3 and §4). -#}

{#- percentile_cont lives in percentiles.sql (shared with the fleet marts). -#}

{#- The values of `value`, sorted and joined with commas: a comparable multiset. -#}
{% macro sorted_string_agg(value) -%}
    {{ return(adapter.dispatch('sorted_string_agg', 'graphlets')(value)) }}
{%- endmacro %}

{% macro default__sorted_string_agg(value) -%}
    string_agg({{ value }}, ',' order by {{ value }})
{%- endmacro %}

{#- DuckDB: a plain list sorted afterwards, about twice as fast as an ordered
    aggregate; nulls are skipped as string_agg skips them (all null: null). -#}
{% macro duckdb__sorted_string_agg(value) -%}
    array_to_string(list_sort(list({{ value }})), ',')
{%- endmacro %}

{% macro spark__sorted_string_agg(value) -%}
    array_join(array_sort(collect_list({{ value }})), ',')
{%- endmacro %}

{#- A one-column relation `step` holding the integers 0..n (inclusive). -#}
{% macro integer_steps(n) -%}
    {{ return(adapter.dispatch('integer_steps', 'graphlets')(n)) }}
{%- endmacro %}

{% macro default__integer_steps(n) -%}
    select step from generate_series(0, {{ n }}) as steps (step)
{%- endmacro %}

{% macro duckdb__integer_steps(n) -%}
    select range as step from range(0, {{ n }} + 1)
{%- endmacro %}

{% macro spark__integer_steps(n) -%}
    select explode(sequence(0, {{ n }})) as step
{%- endmacro %}
