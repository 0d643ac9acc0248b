{#- What each policy configuration does to each pipeline in each period (definitions
    §4): graphlets pruned, prunable wasted cost and its avoided part, pushes and lost
    pushes (pending graphlets left out), and the deployed model's age.

    A pipeline is active in a period from its first decision to its last activity,
    clipped to the period (int_pruning_pipeline_windows). The deployed model at an
    instant is the pipeline's last kept push at or before it (the policy applied in
    every period, so the model deployed at the start of the evaluation period may come
    from training); instants before the pipeline's first kept push are left out. Its
    age is integrated over the active window (`model_age_hour_hours`, over
    `observed_hours`), so fleet means weight pipelines by time.

    Every figure is the unpruned one changed by what a configuration prunes, so no
    window runs over configurations × pushes and nothing reads configurations ×
    graphlets: counts add up the pruned graphlets (int_pruning_pruned_graphlets); the deployed
    model is the unpruned timeline's, cut into segments between consecutive push
    instants and window bounds, except where a configuration lost every push at the
    segment's instant (int_pruning_lost_pushes): there it falls back to the last
    instant before it that kept a push, or to none. -#}
with

configurations as (
    select * from {{ ref('int_pruning_configurations') }}
),

predictions as (
    select * from {{ ref('int_graphlet_push_predictions') }}
    where outcome <> 'pending'
),

pruned as (
    select * from {{ ref('int_pruning_pruned_graphlets') }}
),

windows as (
    select * from {{ ref('int_pruning_pipeline_windows') }}
),

timeline as (
    select * from {{ ref('int_pruning_push_timeline') }}
),

lost as (
    select * from {{ ref('int_pruning_lost_pushes') }}
),

{#- Every (period, pipeline) reported, with an integer key the big aggregates group by. -#}
list_pipeline_periods as (
    select
        period,
        pipeline_name,
        row_number() over (order by period, pipeline_name) as pipeline_period_key
    from (
        select period, pipeline_name from windows
        union
        select period, pipeline_name from predictions
    ) as pipeline_periods
),

count_unpruned as (
    select
        period,
        pipeline_name,
        count(*) as graphlet_count,
        coalesce(sum(prunable_cost) filter (where not is_pushed), 0) as prunable_wasted_cost,
        count(*) filter (where is_pushed) as push_count
    from predictions
    group by period, pipeline_name
),

key_predictions as (
    select
        predictions.graphlet_id,
        predictions.is_pushed,
        predictions.prunable_cost,
        list_pipeline_periods.pipeline_period_key
    from predictions
    inner join list_pipeline_periods
        on predictions.period = list_pipeline_periods.period
        and predictions.pipeline_name = list_pipeline_periods.pipeline_name
),

count_pruned as (
    select
        pruned.configuration_id,
        key_predictions.pipeline_period_key,
        count(*) as pruned_graphlet_count,
        coalesce(sum(key_predictions.prunable_cost) filter (where not key_predictions.is_pushed), 0)
            as avoided_wasted_cost,
        count(*) filter (where key_predictions.is_pushed) as lost_push_count
    from pruned
    inner join key_predictions on pruned.graphlet_id = key_predictions.graphlet_id
    group by pruned.configuration_id, key_predictions.pipeline_period_key
),

list_push_instants as (
    select distinct pipeline_name, push_instant_key, pushed_at_ms
    from timeline
),

{#- Breakpoints of the unpruned deployed model: every push instant and the window
    bounds; between two breakpoints the deployed model is the last push so far. -#}
list_timeline_points as (
    select
        pipeline_name,
        pushed_at_ms as point_ms,
        push_instant_key
    from list_push_instants
    union all
    select
        pipeline_name,
        window_start_ms as point_ms,
        cast(null as bigint) as push_instant_key
    from windows
    union all
    select
        pipeline_name,
        window_end_ms as point_ms,
        cast(null as bigint) as push_instant_key
    from windows
),

track_unpruned_model as (
    select
        pipeline_name,
        point_ms,
        lead(point_ms) over (
            partition by pipeline_name order by point_ms, push_instant_key nulls first
        ) as next_point_ms,
        {#- The window is spelled out each time: Spark takes no frame after a named window. -#}
        max(push_instant_key) over (
            partition by pipeline_name order by point_ms, push_instant_key nulls first
            rows between unbounded preceding and current row
        ) as deployed_instant_key,
        max(case when push_instant_key is not null then point_ms end) over (
            partition by pipeline_name order by point_ms, push_instant_key nulls first
            rows between unbounded preceding and current row
        ) as deployed_push_ms
    from list_timeline_points
),

cut_unpruned_segments as (
    select
        windows.period,
        windows.pipeline_name,
        greatest(track_unpruned_model.point_ms, windows.window_start_ms) as segment_start_ms,
        least(track_unpruned_model.next_point_ms, windows.window_end_ms) as segment_end_ms,
        track_unpruned_model.deployed_instant_key,
        track_unpruned_model.deployed_push_ms
    from track_unpruned_model
    inner join windows
        on track_unpruned_model.pipeline_name = windows.pipeline_name
        and track_unpruned_model.point_ms < windows.window_end_ms
        and track_unpruned_model.next_point_ms > windows.window_start_ms
    where track_unpruned_model.deployed_push_ms is not null
),

keep_segments as (
    select
        list_pipeline_periods.pipeline_period_key,
        cut_unpruned_segments.segment_start_ms,
        cut_unpruned_segments.segment_end_ms,
        cut_unpruned_segments.deployed_instant_key,
        cut_unpruned_segments.deployed_push_ms
    from cut_unpruned_segments
    inner join list_pipeline_periods
        on cut_unpruned_segments.period = list_pipeline_periods.period
        and cut_unpruned_segments.pipeline_name = list_pipeline_periods.pipeline_name
    where cut_unpruned_segments.segment_end_ms > cut_unpruned_segments.segment_start_ms
),

{#- A configuration loses an instant when it prunes every push that landed there. -#}
find_lost_instants as (
    select
        configuration_id,
        pipeline_name,
        push_instant_position,
        push_instant_key
    from lost
    group by
        configuration_id, pipeline_name, push_instant_position, push_instant_key,
        instant_push_count
    having count(*) = instant_push_count
),

{#- Consecutive lost instants of a pipeline form a run; the model deployed over a run
    is the one of the pipeline's instant before it (none when the run starts at the
    pipeline's first push). Instant keys are consecutive within a pipeline. -#}
number_lost_runs as (
    select
        configuration_id,
        pipeline_name,
        push_instant_position,
        push_instant_key,
        push_instant_position - row_number() over (
            partition by configuration_id, pipeline_name order by push_instant_position
        ) as lost_run_key
    from find_lost_instants
),

find_run_starts as (
    select
        configuration_id,
        push_instant_key,
        min(push_instant_position) over (
            partition by configuration_id, pipeline_name, lost_run_key
        ) as run_start_position,
        min(push_instant_key) over (
            partition by configuration_id, pipeline_name, lost_run_key
        ) as run_start_key
    from number_lost_runs
),

find_fallbacks as (
    select
        configuration_id,
        push_instant_key,
        case when run_start_position > 1 then run_start_key - 1 end as fallback_instant_key
    from find_run_starts
),

attach_fallback_instants as (
    select
        find_fallbacks.configuration_id,
        find_fallbacks.push_instant_key,
        list_push_instants.pushed_at_ms as fallback_push_ms
    from find_fallbacks
    left join list_push_instants
        on find_fallbacks.fallback_instant_key = list_push_instants.push_instant_key
),

rebuild_deployed_models as (
    select
        configurations.configuration_id,
        keep_segments.pipeline_period_key,
        keep_segments.segment_start_ms,
        keep_segments.segment_end_ms,
        case
            when attach_fallback_instants.push_instant_key is null
                then keep_segments.deployed_push_ms
            else attach_fallback_instants.fallback_push_ms
        end as deployed_push_ms
    from keep_segments
    cross join configurations
    left join attach_fallback_instants
        on configurations.configuration_id = attach_fallback_instants.configuration_id
        and keep_segments.deployed_instant_key = attach_fallback_instants.push_instant_key
),

summarise_model_age as (
    select
        configuration_id,
        pipeline_period_key,
        sum(
            (
                power((segment_end_ms - deployed_push_ms) / 3600000e0, 2)
                - power((segment_start_ms - deployed_push_ms) / 3600000e0, 2)
            ) / 2
        ) as model_age_hour_hours,
        sum((segment_end_ms - segment_start_ms) / 3600000e0) as observed_hours,
        max((segment_end_ms - deployed_push_ms) / 3600000e0) as max_deployed_model_age_hours
    from rebuild_deployed_models
    where deployed_push_ms is not null
    group by configuration_id, pipeline_period_key
),

final as (
    select
        configurations.configuration_id,
        configurations.policy_name,
        configurations.threshold,
        configurations.age_bound_multiplier,
        configurations.pipeline_loss_cap,
        list_pipeline_periods.period,
        list_pipeline_periods.pipeline_name,
        cast(coalesce(count_unpruned.graphlet_count, 0) as bigint) as graphlet_count,
        cast(coalesce(count_pruned.pruned_graphlet_count, 0) as bigint)
            as pruned_graphlet_count,
        cast(coalesce(count_unpruned.prunable_wasted_cost, 0) as double)
            as prunable_wasted_cost,
        cast(coalesce(count_pruned.avoided_wasted_cost, 0) as double) as avoided_wasted_cost,
        cast(coalesce(count_unpruned.push_count, 0) as bigint) as push_count,
        cast(coalesce(count_pruned.lost_push_count, 0) as bigint) as lost_push_count,
        cast(coalesce(windows.active_hours, 0) as double) as active_hours,
        cast(coalesce(summarise_model_age.model_age_hour_hours, 0) as double)
            as model_age_hour_hours,
        cast(coalesce(summarise_model_age.observed_hours, 0) as double) as observed_hours,
        cast(
            summarise_model_age.model_age_hour_hours
            / nullif(summarise_model_age.observed_hours, 0) as double)
            as mean_deployed_model_age_hours,
        cast(summarise_model_age.max_deployed_model_age_hours as double)
            as max_deployed_model_age_hours
    from configurations
    cross join list_pipeline_periods
    left join count_unpruned
        on list_pipeline_periods.period = count_unpruned.period
        and list_pipeline_periods.pipeline_name = count_unpruned.pipeline_name
    left join count_pruned
        on configurations.configuration_id = count_pruned.configuration_id
        and list_pipeline_periods.pipeline_period_key = count_pruned.pipeline_period_key
    left join windows
        on list_pipeline_periods.period = windows.period
        and list_pipeline_periods.pipeline_name = windows.pipeline_name
    left join summarise_model_age
        on configurations.configuration_id = summarise_model_age.configuration_id
        and list_pipeline_periods.pipeline_period_key = summarise_model_age.pipeline_period_key
)

select * from final
