{#- What became of each graphlet's model (definitions §2, first row that applies). -#}
with

trainers as (
    select * from {{ ref('int_graphlet_trainers') }}
),

downstream as (
    select * from {{ ref('int_graphlet_members') }}
    where member_role = 'downstream'
),

downstream_executions as (
    select * from {{ ref('int_graphlet_member_executions') }}
    where member_role = 'downstream'
),

executions as (
    select * from {{ ref('int_executions_enriched') }}
),

artifacts as (
    select * from {{ ref('int_artifacts_produced') }}
),

flags as (
    select * from {{ ref('int_artifact_properties_resolved') }}
    where property_name in ('pushed', 'blessed')
),

downstream_artifacts as (
    select
        downstream.graphlet_id,
        artifacts.artifact_type,
        artifacts.producer_execution_id,
        pushed.number_value as pushed,
        blessed.number_value as blessed
    from downstream
    inner join artifacts on downstream.mlmd_id = artifacts.artifact_id
    left join flags as pushed
        on artifacts.artifact_id = pushed.artifact_id and pushed.property_name = 'pushed'
    left join flags as blessed
        on artifacts.artifact_id = blessed.artifact_id and blessed.property_name = 'blessed'
    where downstream.node_kind = 'artifact'
),

{#- A push, and when it happened: the end of the execution that produced the pushed
    PushedModel (the earliest, if several pushed). -#}
pushes as (
    select
        downstream_artifacts.graphlet_id,
        min(producer.ended_at_ms) as pushed_at_ms
    from downstream_artifacts
    left join downstream_executions as producer_in_downstream
        on downstream_artifacts.graphlet_id = producer_in_downstream.graphlet_id
        and downstream_artifacts.producer_execution_id = producer_in_downstream.execution_id
    left join executions as producer
        on downstream_artifacts.producer_execution_id = producer.execution_id
    where downstream_artifacts.artifact_type = 'PushedModel'
        and (
            downstream_artifacts.pushed = 1
            -- No `pushed` flag: a completed deployment in D(T) that produced it.
            or (
                downstream_artifacts.pushed is null
                and producer_in_downstream.category = 'deployment'
                and producer_in_downstream.state = 'COMPLETE'
            )
        )
    group by downstream_artifacts.graphlet_id
),

blessings as (
    select distinct graphlet_id
    from downstream_artifacts
    where artifact_type = 'ModelBlessing' and blessed = 1
),

downstream_activity as (
    select
        graphlet_id,
        count(*) as execution_count,
        count(*) filter (where state in ('RUNNING', 'NEW')) as unfinished_count
    from downstream_executions
    group by graphlet_id
),

final as (
    select
        trainers.execution_id as graphlet_id,
        case
            when trainers.state in ('FAILED', 'CANCELED') then 'training_failed'
            when trainers.state in ('RUNNING', 'NEW') then 'pending'
            when pushes.graphlet_id is not null then 'pushed'
            when trainers.next_graphlet_id is null
                and (
                    coalesce(downstream_activity.execution_count, 0) = 0
                    or downstream_activity.unfinished_count > 0
                ) then 'pending'
            when blessings.graphlet_id is not null then 'blessed_not_pushed'
            when downstream_activity.execution_count > 0 then 'not_blessed'
            else 'no_evaluation'
        end as outcome,
        pushes.pushed_at_ms
    from trainers
    left join pushes on trainers.execution_id = pushes.graphlet_id
    left join blessings on trainers.execution_id = blessings.graphlet_id
    left join downstream_activity on trainers.execution_id = downstream_activity.graphlet_id
)

select * from final
