{#- Training cadence (definitions §5): one row per training (every graphlet, at its
    trainer's start) and one per push (every pushed graphlet, when its deployment
    finished), each with the gap since the pipeline's previous one of the same kind. -#}
with

graphlets as (
    select * from {{ ref('fct_graphlets') }}
),

pushes as (
    select * from {{ ref('int_graphlet_pushes') }}
    where is_pushed
),

trainings as (
    select
        'training' as cadence_kind,
        graphlet_id,
        pipeline_name,
        trained_at_ms as event_at_ms
    from graphlets
),

push_events as (
    select
        'push' as cadence_kind,
        graphlet_id,
        pipeline_name,
        pushed_at_ms as event_at_ms
    from pushes
),

events as (
    select * from trainings
    union all
    select * from push_events
),

sequenced as (
    select
        *,
        cast(row_number() over (
            partition by pipeline_name, cadence_kind order by event_at_ms, graphlet_id
        ) as bigint) as event_number,
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
        cadence_kind || ':' || cast(graphlet_id as string) as cadence_event_id,
        cadence_kind,
        graphlet_id,
        pipeline_name,
        event_number,
        {{ graphlets.ms_to_timestamp('event_at_ms') }} as event_at,
        event_at_ms,
        previous_graphlet_id,
        {{ graphlets.ms_to_timestamp('previous_event_at_ms') }} as previous_event_at,
        (event_at_ms - previous_event_at_ms) / 3600000e0 as gap_hours
    from sequenced
)

select * from final
