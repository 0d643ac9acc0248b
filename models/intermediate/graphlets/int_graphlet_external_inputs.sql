{#- Inputs a graphlet's trainer or upstream work reads across the boundary: warm
    starts and baselines (`boundary_key`) or another trainer's model
    (`trainer_output`). They and their history stay out of the graphlet. -#}
with

crossings as (
    select * from {{ ref('int_lineage_crossings') }}
),

member_executions as (
    select * from {{ ref('int_graphlet_member_executions') }}
    where member_role in ('trainer', 'upstream')
),

final as (
    select
        member_executions.graphlet_id,
        crossings.artifact_id,
        crossings.artifact_type,
        crossings.consumer_execution_id,
        crossings.event_keys,
        crossings.crossing_reason
    from crossings
    inner join member_executions
        on crossings.consumer_execution_id = member_executions.execution_id
)

select * from final
