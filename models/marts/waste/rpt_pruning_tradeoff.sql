{#- What pruning would have saved and cost (spec section 4), per policy, threshold and
    period. A policy skips a graphlet's work after its decision point; pending graphlets
    are left out of every figure.
    - model: prune when `predicted_push_probability < threshold`, thresholds 0.00..1.00
      by 0.02 (at 0 nothing is pruned);
    - never_prune; previous_not_pushed: prune when the pipeline's last graphlet known at
      the decision point did not push; oracle: prune exactly the graphlets that did not
      push.
    Cost: prunable wasted cost is the prunable cost of graphlets that did not push;
    avoided is its part on pruned graphlets. Pushes lost are pushed graphlets pruned.
    Cadence, over the period: pushes per pipeline-week (each pipeline counted from its
    first decision to its last activity inside the period); the median and 90th
    percentile gap in hours between consecutive kept pushes of a pipeline, pooled; and
    the time-weighted mean age in hours of the deployed model (the last kept push at or
    before each instant, the policy applied to every period; instants before a
    pipeline's first kept push are left out). `_unpruned` columns are never_prune's. -#}
{%- set threshold_steps = 50 -%}
with

predictions as (
    select * from {{ ref('fct_graphlet_push_predictions') }}
),

cutoff as (
    select * from {{ ref('int_pruning_cutoff') }}
),

list_thresholds as (
    select cast(step as double) / {{ threshold_steps }} as threshold
    from ({{ graphlets.integer_steps(threshold_steps) }}) as steps
),

list_policies as (
    select 'model' as policy, threshold from list_thresholds
    union all
    select 'never_prune' as policy, cast(null as double) as threshold
    union all
    select 'previous_not_pushed' as policy, cast(null as double) as threshold
    union all
    select 'oracle' as policy, cast(null as double) as threshold
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

decide_pruning as (
    select
        list_policies.policy,
        list_policies.threshold,
        predictions.graphlet_id,
        predictions.pipeline_name,
        predictions.period,
        predictions.is_pushed,
        predictions.prunable_cost,
        predictions.pushed_at_ms,
        case list_policies.policy
            when 'model' then predictions.predicted_push_probability < list_policies.threshold
            when 'never_prune' then false
            when 'previous_not_pushed' then coalesce(not predictions.previous_is_pushed, false)
            when 'oracle' then not predictions.is_pushed
        end as is_pruned
    from predictions
    cross join list_policies
    where predictions.outcome <> 'pending'
),

count_outcomes as (
    select
        policy,
        threshold,
        period,
        count(*) as graphlet_count,
        count(*) filter (where is_pruned) as pruned_graphlet_count,
        coalesce(sum(prunable_cost) filter (where not is_pushed), 0) as prunable_wasted_cost,
        coalesce(sum(prunable_cost) filter (where not is_pushed and is_pruned), 0)
            as avoided_wasted_cost,
        count(*) filter (where is_pushed) as push_count,
        count(*) filter (where is_pushed and is_pruned) as lost_push_count
    from decide_pruning
    group by policy, threshold, period
),

find_pipeline_windows as (
    select
        list_periods.period,
        activity.pipeline_name,
        greatest(list_periods.period_start_ms, activity.first_decision_at_ms) as window_start_ms,
        least(list_periods.period_end_ms, activity.last_activity_at_ms) as window_end_ms
    from (
        select
            pipeline_name,
            min(decided_at_ms) as first_decision_at_ms,
            max(greatest(finished_at_ms, decided_at_ms)) as last_activity_at_ms
        from predictions
        group by pipeline_name
    ) as activity
    cross join list_periods
),

keep_windows as (
    select * from find_pipeline_windows
    where window_end_ms > window_start_ms
),

count_pipeline_weeks as (
    select period, sum(window_end_ms - window_start_ms) / (7 * 86400000e0) as pipeline_weeks
    from keep_windows
    group by period
),

measure_push_gaps as (
    select
        policy,
        threshold,
        period,
        (pushed_at_ms - lag(pushed_at_ms) over (
            partition by policy, threshold, period, pipeline_name
            order by pushed_at_ms, graphlet_id
        )) / 3600000e0 as gap_hours
    from decide_pruning
    where is_pushed and not is_pruned
),

summarise_push_gaps as (
    select
        policy,
        threshold,
        period,
        {{ graphlets.percentile_cont('gap_hours', 0.5) }} as median_push_gap_hours,
        {{ graphlets.percentile_cont('gap_hours', 0.9) }} as p90_push_gap_hours
    from measure_push_gaps
    where gap_hours is not null
    group by policy, threshold, period
),

{#- The deployed model's age: breakpoints are every push (kept or not) and window
    bounds; between two breakpoints the deployed model is the last kept push so far. -#}
list_timeline_points as (
    select
        policy,
        threshold,
        pipeline_name,
        pushed_at_ms as point_ms,
        case when not is_pruned then pushed_at_ms end as kept_push_ms
    from decide_pruning
    where is_pushed
    union all
    select
        list_policies.policy,
        list_policies.threshold,
        keep_windows.pipeline_name,
        bounds.point_ms,
        cast(null as bigint) as kept_push_ms
    from keep_windows
    cross join list_policies
    cross join lateral (
        select keep_windows.window_start_ms as point_ms
        union all
        select keep_windows.window_end_ms as point_ms
    ) as bounds
),

track_deployed_model as (
    select
        policy,
        threshold,
        pipeline_name,
        point_ms,
        lead(point_ms) over (
            partition by policy, threshold, pipeline_name
            order by point_ms, kept_push_ms nulls first
        ) as next_point_ms,
        max(kept_push_ms) over (
            partition by policy, threshold, pipeline_name
            order by point_ms, kept_push_ms nulls first
            rows between unbounded preceding and current row
        ) as deployed_push_ms
    from list_timeline_points
),

integrate_model_age as (
    select
        track_deployed_model.policy,
        track_deployed_model.threshold,
        keep_windows.period,
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
        policy,
        threshold,
        period,
        sum(
            (power((segment_end_ms - deployed_push_ms) / 3600000e0, 2)
                - power((segment_start_ms - deployed_push_ms) / 3600000e0, 2)) / 2
        ) / nullif(sum((segment_end_ms - segment_start_ms) / 3600000e0), 0)
            as mean_deployed_model_age_hours
    from integrate_model_age
    where segment_end_ms > segment_start_ms
    group by policy, threshold, period
),

combine_figures as (
    select
        count_outcomes.*,
        count_pipeline_weeks.pipeline_weeks,
        summarise_push_gaps.median_push_gap_hours,
        summarise_push_gaps.p90_push_gap_hours,
        summarise_model_age.mean_deployed_model_age_hours
    from count_outcomes
    left join count_pipeline_weeks on count_outcomes.period = count_pipeline_weeks.period
    left join summarise_push_gaps
        on count_outcomes.policy = summarise_push_gaps.policy
        and count_outcomes.threshold is not distinct from summarise_push_gaps.threshold
        and count_outcomes.period = summarise_push_gaps.period
    left join summarise_model_age
        on count_outcomes.policy = summarise_model_age.policy
        and count_outcomes.threshold is not distinct from summarise_model_age.threshold
        and count_outcomes.period = summarise_model_age.period
),

final as (
    select
        figures.policy,
        cast(figures.threshold as double) as threshold,
        figures.period,
        figures.graphlet_count,
        figures.pruned_graphlet_count,
        cast(figures.prunable_wasted_cost as double) as prunable_wasted_cost,
        cast(figures.avoided_wasted_cost as double) as avoided_wasted_cost,
        case when figures.prunable_wasted_cost > 0
            then figures.avoided_wasted_cost / figures.prunable_wasted_cost
        end as waste_avoided_share,
        figures.push_count,
        figures.lost_push_count,
        case when figures.push_count > 0
            then cast(figures.lost_push_count as double) / figures.push_count
        end as pushes_lost_share,
        (figures.push_count - figures.lost_push_count) / nullif(figures.pipeline_weeks, 0)
            as pushes_per_pipeline_week,
        unpruned.push_count / nullif(unpruned.pipeline_weeks, 0)
            as pushes_per_pipeline_week_unpruned,
        figures.median_push_gap_hours,
        unpruned.median_push_gap_hours as median_push_gap_hours_unpruned,
        figures.p90_push_gap_hours,
        unpruned.p90_push_gap_hours as p90_push_gap_hours_unpruned,
        figures.mean_deployed_model_age_hours,
        unpruned.mean_deployed_model_age_hours as mean_deployed_model_age_hours_unpruned
    from combine_figures as figures
    inner join combine_figures as unpruned
        on unpruned.policy = 'never_prune' and figures.period = unpruned.period
)

select * from final
