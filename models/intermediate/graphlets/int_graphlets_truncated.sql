{#- Graphlets whose traversal reached `max_depth` with steps still left to take:
    their membership is cut short. Never silent: a data test fails on any row. -#}
with

reached as (
    select * from {{ ref('int_graphlet_nodes_reached') }}
    where depth = {{ var('max_depth') }}
),

steps as (
    select * from {{ ref('int_lineage_steps') }}
),

final as (
    select
        reached.graphlet_id,
        count(distinct reached.node_key) as nodes_at_bound
    from reached
    inner join steps
        on reached.is_upstream = steps.is_upstream
        and reached.node_key = steps.from_node_key
    where steps.trainer_producer_id is null or steps.trainer_producer_id = reached.graphlet_id
    group by reached.graphlet_id
)

select * from final
