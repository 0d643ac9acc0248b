{#- What each policy configuration does to each pipeline in each period (definitions
    §4): graphlets pruned, prunable wasted cost and its avoided part, pushes and lost
    pushes (pending graphlets left out), and the deployed model's age.

    A pipeline is active in a period from its first decision to its last activity,
    clipped to the period. The deployed model at an instant is the pipeline's last kept
    push at or before it (the policy applied in every period, so the model deployed at
    the start of the evaluation period may come from training); instants before the
    pipeline's first kept push are left out. Its age is integrated over the active
    window (`model_age_hour_hours`, over `observed_hours`), so fleet means weight
    pipelines by time. -#}
with

decisions as (
    select * from {{ ref('int_pruning_policy_decisions') }}
),

predictions as (
    select * from {{ ref('int_graphlet_push_predictions') }}
),

cutoff as (
    select * from {{ ref('int_pruning_cutoff') }}
),

list_configurations as (
    select distinct policy_name, threshold, age_bound_multiplier, pipeline_loss_cap
    from decisions
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

find_pipeline_windows as (
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

keep_windows as (
    select * from find_pipeline_windows
    where window_end_ms > window_start_ms
),

count_outcomes as (
    select
        policy_name,
        threshold,
        age_bound_multiplier,
        pipeline_loss_cap,
        period,
        pipeline_name,
        count(*) as graphlet_count,
        count(*) filter (where is_pruned) as pruned_graphlet_count,
        coalesce(sum(prunable_cost) filter (where not is_pushed), 0) as prunable_wasted_cost,
        coalesce(sum(prunable_cost) filter (where not is_pushed and is_pruned), 0)
            as avoided_wasted_cost,
        count(*) filter (where is_pushed) as push_count,
        count(*) filter (where is_pushed and is_pruned) as lost_push_count
    from decisions
    where outcome <> 'pending'
    group by policy_name, threshold, age_bound_multiplier, pipeline_loss_cap, period, pipeline_name
),

list_window_bounds as (
    select pipeline_name, window_start_ms as point_ms from keep_windows
    union all
    select pipeline_name, window_end_ms as point_ms from keep_windows
),

{#- Breakpoints of the deployed model: every push (kept or not) and the window bounds;
    between two breakpoints the deployed model is the last kept push so far. -#}
list_timeline_points as (
    select
        policy_name,
        threshold,
        age_bound_multiplier,
        pipeline_loss_cap,
        pipeline_name,
        pushed_at_ms as point_ms,
        case when not is_pruned then pushed_at_ms end as kept_push_ms
    from decisions
    where is_pushed
    union all
    select
        list_configurations.policy_name,
        list_configurations.threshold,
        list_configurations.age_bound_multiplier,
        list_configurations.pipeline_loss_cap,
        list_window_bounds.pipeline_name,
        list_window_bounds.point_ms,
        cast(null as bigint) as kept_push_ms
    from list_window_bounds
    cross join list_configurations
),

track_deployed_model as (
    select
        policy_name,
        threshold,
        age_bound_multiplier,
        pipeline_loss_cap,
        pipeline_name,
        point_ms,
        lead(point_ms) over (
            partition by
                policy_name, threshold, age_bound_multiplier, pipeline_loss_cap, pipeline_name
            order by point_ms, kept_push_ms nulls first
        ) as next_point_ms,
        {#- The window is spelled out twice: Spark takes no frame after a named window. -#}
        max(kept_push_ms) over (
            partition by
                policy_name, threshold, age_bound_multiplier, pipeline_loss_cap, pipeline_name
            order by point_ms, kept_push_ms nulls first
            rows between unbounded preceding and current row
        ) as deployed_push_ms
    from list_timeline_points
),

cut_segments as (
    select
        track_deployed_model.policy_name,
        track_deployed_model.threshold,
        track_deployed_model.age_bound_multiplier,
        track_deployed_model.pipeline_loss_cap,
        keep_windows.period,
        keep_windows.pipeline_name,
        greatest(track_deployed_model.point_ms, keep_windows.window_start_ms) as segment_start_ms,
        least(track_deployed_model.next_point_ms, keep_windows.window_end_ms) as segment_end_ms,
        track_deployed_model.deployed_push_ms
    from track_deployed_model
    inner join keep_windows
        on track_deployed_model.pipeline_name = keep_windows.pipeline_name
        and track_deployed_model.point_ms < keep_windows.window_end_ms
        and track_deployed_model.next_point_ms > keep_windows.window_start_ms
    where track_deployed_model.deployed_push_ms is not null
),

summarise_model_age as (
    select
        policy_name,
        threshold,
        age_bound_multiplier,
        pipeline_loss_cap,
        period,
        pipeline_name,
        sum(
            (
                power((segment_end_ms - deployed_push_ms) / 3600000e0, 2)
                - power((segment_start_ms - deployed_push_ms) / 3600000e0, 2)
            ) / 2
        ) as model_age_hour_hours,
        sum((segment_end_ms - segment_start_ms) / 3600000e0) as observed_hours,
        max((segment_end_ms - deployed_push_ms) / 3600000e0) as max_deployed_model_age_hours
    from cut_segments
    where segment_end_ms > segment_start_ms
    group by policy_name, threshold, age_bound_multiplier, pipeline_loss_cap, period, pipeline_name
),

list_pipeline_periods as (
    select period, pipeline_name from keep_windows
    union
    select distinct period, pipeline_name from count_outcomes
),

final as (
    select
        list_configurations.policy_name,
        cast(list_configurations.threshold as double) as threshold,
        cast(list_configurations.age_bound_multiplier as double) as age_bound_multiplier,
        cast(list_configurations.pipeline_loss_cap as double) as pipeline_loss_cap,
        list_pipeline_periods.period,
        list_pipeline_periods.pipeline_name,
        cast(coalesce(count_outcomes.graphlet_count, 0) as bigint) as graphlet_count,
        cast(coalesce(count_outcomes.pruned_graphlet_count, 0) as bigint)
            as pruned_graphlet_count,
        cast(coalesce(count_outcomes.prunable_wasted_cost, 0) as double)
            as prunable_wasted_cost,
        cast(coalesce(count_outcomes.avoided_wasted_cost, 0) as double) as avoided_wasted_cost,
        cast(coalesce(count_outcomes.push_count, 0) as bigint) as push_count,
        cast(coalesce(count_outcomes.lost_push_count, 0) as bigint) as lost_push_count,
        cast(
            coalesce((keep_windows.window_end_ms - keep_windows.window_start_ms) / 3600000e0, 0)
            as double
        ) as active_hours,
        cast(coalesce(summarise_model_age.model_age_hour_hours, 0) as double)
            as model_age_hour_hours,
        cast(coalesce(summarise_model_age.observed_hours, 0) as double) as observed_hours,
        cast(
            summarise_model_age.model_age_hour_hours
            / nullif(summarise_model_age.observed_hours, 0) as double)
            as mean_deployed_model_age_hours,
        cast(summarise_model_age.max_deployed_model_age_hours as double)
            as max_deployed_model_age_hours
    from list_configurations
    cross join list_pipeline_periods
    left join count_outcomes
        on {{ graphlets.same_policy('list_configurations', 'count_outcomes') }}
        and list_pipeline_periods.period = count_outcomes.period
        and list_pipeline_periods.pipeline_name = count_outcomes.pipeline_name
    left join keep_windows
        on list_pipeline_periods.period = keep_windows.period
        and list_pipeline_periods.pipeline_name = keep_windows.pipeline_name
    left join summarise_model_age
        on {{ graphlets.same_policy('list_configurations', 'summarise_model_age') }}
        and list_pipeline_periods.period = summarise_model_age.period
        and list_pipeline_periods.pipeline_name = summarise_model_age.pipeline_name
)

select * from final
