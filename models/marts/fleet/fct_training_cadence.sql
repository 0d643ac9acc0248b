{#- Training cadence (spec section 5): one row per training (every graphlet, at its
    trainer's start) and one per push (every pushed graphlet, when its deployment
    finished), each with the gap since the pipeline's previous one of the same kind. -#}
with

graphlets as (
    select * from {{ ref('fct_graphlets') }}
),

members as (
    select * from {{ ref('fct_graphlet_members') }}
),

executions as (
    select * from {{ ref('fct_executions') }}
),

artifacts as (
    select * from {{ ref('int_artifacts_produced') }}
),

flags as (
    select * from {{ ref('int_artifact_properties_resolved') }}
    where property_name = 'pushed'
),

{#- The deployment that pushed: the producer of a PushedModel in D(T) that says
    pushed = 1 (or carries no flag and was produced by a completed deployment). -#}
pushing_deployments as (
    select
        members.graphlet_id,
        min(executions.ended_at_ms) as pushed_at_ms
    from members
    inner join artifacts on members.mlmd_id = artifacts.artifact_id
    inner join executions on artifacts.producer_execution_id = executions.execution_id
    left join flags on artifacts.artifact_id = flags.artifact_id
    where members.node_kind = 'artifact'
        and members.role = 'downstream'
        and artifacts.artifact_type = 'PushedModel'
        and (
            flags.number_value = 1
            or (flags.number_value is null
                and executions.category = 'deployment' and executions.state = 'COMPLETE')
        )
    group by members.graphlet_id
),

trainings as (
    select
        'training' as cadence_kind,
        graphlet_id,
        pipeline_name,
        trained_at_ms as event_at_ms
    from graphlets
),

pushes as (
    select
        'push' as cadence_kind,
        graphlets.graphlet_id,
        graphlets.pipeline_name,
        pushing_deployments.pushed_at_ms as event_at_ms
    from graphlets
    inner join pushing_deployments on graphlets.graphlet_id = pushing_deployments.graphlet_id
    where graphlets.outcome = 'pushed'
),

events as (
    select * from trainings
    union all
    select * from pushes
),

sequenced as (
    select
        *,
        row_number() over (
            partition by pipeline_name, cadence_kind order by event_at_ms, graphlet_id
        ) as event_number,
        lag(graphlet_id) over (
            partition by pipeline_name, cadence_kind order by event_at_ms, graphlet_id
        ) as previous_graphlet_id,
        lag(event_at_ms) over (
            partition by pipeline_name, cadence_kind order by event_at_ms, graphlet_id
        ) as previous_event_at_ms
    from events
),

final as (
    select
        cadence_kind || ':' || cast(graphlet_id as varchar) as cadence_event_id,
        cadence_kind,
        graphlet_id,
        pipeline_name,
        event_number,
        {{ graphlets.ms_to_timestamp('event_at_ms') }} as event_at,
        event_at_ms,
        previous_graphlet_id,
        {{ graphlets.ms_to_timestamp('previous_event_at_ms') }} as previous_event_at,
        (event_at_ms - previous_event_at_ms) / 3600000.0 as gap_hours
    from sequenced
)

select * from final
