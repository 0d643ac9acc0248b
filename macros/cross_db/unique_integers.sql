{#- A SQL boolean that is true when the integer `column` of `relation` holds no null
    and no value twice within any combination of `partition_by` (columns of few values,
    such as a property's name), or none when the engine cannot prove it cheaply; callers
    then group (a null makes the proof false, so the grouping decides what a null
    means). On DuckDB a bitmap proves it: one bit per value between the column's min
    and max (`bitstring_agg`), one bitmap per partition, and the key is unique when as
    many bits are set as there are rows. That reads the columns once, several times
    cheaper than grouping 30 M keys. The bounds come from `bounds_relation` (the relation
    itself, or the raw table behind a CTE), read when the model or test runs. -#}
{% macro integers_proven_unique(relation, column, bounds_relation=none, partition_by=[]) %}
    {{ return(adapter.dispatch('integers_proven_unique', 'graphlets')(
        relation, column, bounds_relation or relation, partition_by)) }}
{% endmacro %}

{% macro default__integers_proven_unique(relation, column, bounds_relation, partition_by) %}
    {{ return(none) }}
{% endmacro %}

{% macro duckdb__integers_proven_unique(relation, column, bounds_relation, partition_by) %}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {#- typeof() is folded when the query is planned: a column that is not an integer
        reads no row and gives null bounds. -#}
    {%- set bounds = run_query(
        "select min(" ~ column ~ "), max(" ~ column ~ "), "
        ~ ("approx_count_distinct(hash(" ~ partition_by | join(', ') ~ "))"
            if partition_by else "1")
        ~ " from " ~ bounds_relation
        ~ " where typeof(" ~ column ~ ") in ('TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT')"
    ).rows[0] -%}
    {%- set low, high, partitions = bounds[0], bounds[1], bounds[2] -%}
    {#- DuckDB's bitmap holds at most about 2^28 bits (32 MB), and all partitions'
        bitmaps together stay under 2^30 bits (128 MB); wider ranges or more
        partitions group instead. -#}
    {%- if low is none or high - low >= 2 ** 28 or (high - low + 1) * partitions > 2 ** 30 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(
        "(select coalesce(bool_and(is_unique), true) from (select bit_count(bitstring_agg("
        ~ column ~ ", " ~ low ~ ", " ~ high ~ ")) = count(*) as is_unique from "
        ~ relation ~ (" group by " ~ partition_by | join(', ') if partition_by else "") ~ "))"
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
