{#- Per period and pipeline, the window in which the pipeline is active (definitions
    §4): from its first decision to its last activity (the latest finish or decision of
    its graphlets), clipped to the period (training: from the first decision of the
    fleet to the cutoff; evaluation: from the cutoff to the fleet's last activity). Only
    windows of positive length. -#}
with

predictions as (
    select * from {{ ref('int_graphlet_push_predictions') }}
),

cutoff as (
    select * from {{ ref('int_pruning_cutoff') }}
),

list_periods as (
    select
        'training' as period,
        first_decision_at_ms as period_start_ms,
        cutoff_at_ms as period_end_ms
    from cutoff
    union all
    select
        'evaluation' as period,
        cutoff_at_ms as period_start_ms,
        greatest(last_activity_at_ms, cutoff_at_ms) as period_end_ms
    from cutoff
),

find_pipeline_activity as (
    select
        pipeline_name,
        min(decided_at_ms) as first_decision_at_ms,
        max(greatest(finished_at_ms, decided_at_ms)) as last_activity_at_ms
    from predictions
    group by pipeline_name
),

clip_to_periods as (
    select
        list_periods.period,
        find_pipeline_activity.pipeline_name,
        greatest(list_periods.period_start_ms, find_pipeline_activity.first_decision_at_ms)
            as window_start_ms,
        least(list_periods.period_end_ms, find_pipeline_activity.last_activity_at_ms)
            as window_end_ms
    from find_pipeline_activity
    cross join list_periods
),

final as (
    select
        period,
        pipeline_name,
        window_start_ms,
        window_end_ms,
        (window_end_ms - window_start_ms) / 3600000e0 as active_hours
    from clip_to_periods
    where window_end_ms > window_start_ms
)

select * from final
