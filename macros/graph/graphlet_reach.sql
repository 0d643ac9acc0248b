{#- Every node each graphlet's traversal reaches, at every hop count up to
    `max_depth`: rows (graphlet_id, is_upstream, node_key, depth).
    Set semantics over (graphlet, node, depth), never over paths: each level is
    deduplicated, so rejoining branches cost nothing and a cycle stops at the bound.
    Keeping depth in the key gives the longest path (a graphlet's depth) and makes
    reaching the bound detectable. -#}
{% macro graphlet_reach(trainers, steps, max_depth) %}
    {%- if max_depth is not number or max_depth < 1 -%}
        {{ exceptions.raise_compiler_error(
            "var max_depth must be a whole number >= 1, not " ~ max_depth) }}
    {%- endif -%}
    {#- `portable_graphlet_reach` runs the unrolled form on any engine, so the two
        forms can be checked against each other where both run (DuckDB). -#}
    {%- if var('portable_graphlet_reach', false) -%}
        {{ return(graphlets.default__graphlet_reach(trainers, steps, max_depth)) }}
    {%- endif -%}
    {{ return(adapter.dispatch('graphlet_reach', 'graphlets')(trainers, steps, max_depth)) }}
{% endmacro %}

{#- DuckDB: one recursive CTE; UNION deduplicates each new level against all rows. -#}
{% macro duckdb__graphlet_reach(trainers, steps, max_depth) %}
with recursive

roots as (
    select
        execution_id as graphlet_id,
        direction.is_upstream,
        {{ graphlets.node_key('execution', 'execution_id') }} as node_key,
        0 as depth
    from {{ trainers }}
    cross join (select true as is_upstream union all select false) as direction
),

reach(graphlet_id, is_upstream, node_key, depth) as (
    select * from roots
    union
    select
        reach.graphlet_id,
        reach.is_upstream,
        steps.to_node_key,
        reach.depth + 1
    from reach
    inner join {{ steps }} as steps
        on reach.is_upstream = steps.is_upstream
        and reach.node_key = steps.from_node_key
    where reach.depth < {{ max_depth }}
        and (steps.trainer_producer_id is null or steps.trainer_producer_id = reach.graphlet_id)
)

select * from reach
{% endmacro %}

{#- Spark 4.1+: recursion with UNION ALL only. Each step is deduplicated, and depth is
    in the key, so the rows are DuckDB's UNION set. The level limit follows max_depth;
    the row limit is raised in the profile (spark.sql.cteRecursionRowLimit). -#}
{% macro spark__graphlet_reach(trainers, steps, max_depth) %}
with recursive

roots as (
    select
        execution_id as graphlet_id,
        direction.is_upstream,
        {{ graphlets.node_key('execution', 'execution_id') }} as node_key,
        0 as depth
    from {{ trainers }}
    cross join (select true as is_upstream union all select false) as direction
),

reach(graphlet_id, is_upstream, node_key, depth) max recursion level {{ max_depth + 2 }} as (
    select * from roots
    union all
    select distinct
        reach.graphlet_id,
        reach.is_upstream,
        steps.to_node_key,
        reach.depth + 1
    from reach
    inner join {{ steps }} as steps
        on reach.is_upstream = steps.is_upstream
        and reach.node_key = steps.from_node_key
    where reach.depth < {{ max_depth }}
        and (steps.trainer_producer_id is null or steps.trainer_producer_id = reach.graphlet_id)
)

select * from reach
{% endmacro %}

{#- Engines whose recursion is weak (Trino: statically unrolled; Spark before 4.1:
    none): the levels written out to the bound, each deduplicated. -#}
{% macro default__graphlet_reach(trainers, steps, max_depth) %}
with

level_0 as (
    select
        execution_id as graphlet_id,
        direction.is_upstream,
        {{ graphlets.node_key('execution', 'execution_id') }} as node_key,
        0 as depth
    from {{ trainers }}
    cross join (select true as is_upstream union all select false) as direction
),
{% for level in range(1, max_depth + 1) %}
level_{{ level }} as (
    select distinct
        previous.graphlet_id,
        previous.is_upstream,
        steps.to_node_key as node_key,
        {{ level }} as depth
    from level_{{ level - 1 }} as previous
    inner join {{ steps }} as steps
        on previous.is_upstream = steps.is_upstream
        and previous.node_key = steps.from_node_key
    where steps.trainer_producer_id is null
        or steps.trainer_producer_id = previous.graphlet_id
),
{% endfor %}

reach as (
    {% for level in range(0, max_depth + 1) %}
    select * from level_{{ level }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from reach
{% endmacro %}
