{#- Inputs a graphlet's trainer or upstream work reads across the boundary: warm
    starts and baselines (`boundary_key`) or another trainer's model
    (`trainer_output`). They and their history stay out of the graphlet. -#}
with

crossings as (
    select * from {{ ref('int_lineage_crossings') }}
),

members as (
    select * from {{ ref('int_graphlet_members') }}
    where role in ('trainer', 'upstream') and node_kind = 'execution'
),

final as (
    select
        members.graphlet_id,
        crossings.artifact_id,
        crossings.artifact_type,
        crossings.consumer_execution_id,
        crossings.event_keys,
        crossings.crossing_reason
    from crossings
    inner join members on crossings.consumer_execution_id = members.mlmd_id
)

select * from final
