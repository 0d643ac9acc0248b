{#- A SQL boolean that is true when the integer `column` of `relation` holds no value
    twice, or none when the engine cannot prove it cheaply; callers then group. On
    DuckDB a bitmap of the column's range proves it: one bit per value between its
    min and max (`bitstring_agg`), and the column is unique when as many bits are set as
    it has values. That reads the column once, about ten times cheaper than grouping
    30 M ids. The bounds come from `bounds_relation` (the relation itself, or the raw
    table behind a CTE), read when the model or test runs. -#}
{% macro integers_proven_unique(relation, column, bounds_relation=none) %}
    {{ return(adapter.dispatch('integers_proven_unique', 'graphlets')(
        relation, column, bounds_relation or relation)) }}
{% endmacro %}

{% macro default__integers_proven_unique(relation, column, bounds_relation) %}
    {{ return(none) }}
{% endmacro %}

{% macro duckdb__integers_proven_unique(relation, column, bounds_relation) %}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {#- typeof() is folded when the query is planned: a column that is not an integer
        reads no row and gives null bounds. -#}
    {%- set bounds = run_query(
        "select min(" ~ column ~ "), max(" ~ column ~ ") from " ~ bounds_relation
        ~ " where typeof(" ~ column ~ ") in ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT')"
    ).rows[0] -%}
    {%- set low, high = bounds[0], bounds[1] -%}
    {#- DuckDB's bitmap holds at most about 2^28 bits (32 MB); wider ranges group. -#}
    {%- if low is none or high - low >= 268435456 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(
        "(select bit_count(bitstring_agg(" ~ column ~ ", " ~ low ~ ", " ~ high ~ "))"
        ~ " = count(" ~ column ~ ") from " ~ relation ~ ")"
    ) }}
{% endmacro %}

{#- dbt's `unique` test on DuckDB: where the column's values are proven distinct, the
    grouping that lists repeated values reads no row. The failing rows are dbt's own
    (unique_field, n_records). Found through the project's dispatch search order for
    the `dbt` namespace (dbt_project.yml); other engines run dbt's default. -#}
{% macro duckdb__test_unique(model, column_name) %}
{%- set proof = graphlets.integers_proven_unique(model, column_name) %}
select
    {{ column_name }} as unique_field,
    count(*) as n_records
from {{ model }}
where {{ column_name }} is not null
{%- if proof %}
    and not {{ proof }}
{%- endif %}
group by {{ column_name }}
having count(*) > 1
{% endmacro %}
