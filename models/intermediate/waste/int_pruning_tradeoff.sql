{#- What pruning would have saved and cost (definitions §4), per policy, configuration
    and period, summed over the pipelines of int_pruning_pipeline_outcomes (policies in
    int_pruning_configurations: model, guarded_model, never_prune, previous_not_pushed,
    oracle). Pending graphlets are left out of every figure.
    Cost: prunable wasted cost is the prunable cost of graphlets that did not push;
    avoided is its part on pruned graphlets. Pushes lost are pushed graphlets pruned.
    Cadence, over the period: pushes per pipeline-week (each pipeline counted from its
    first decision to its last activity inside the period); the median and 90th
    percentile gap in hours between consecutive kept pushes of a pipeline, pooled; and
    the time-weighted mean age in hours of the deployed model. Per pipeline: the largest
    lost share of pushes among pipelines with at least two pushes in the period, and
    how many of them lose more than the var `max_pipeline_push_loss`. `_unpruned`
    columns are never_prune's. -#}
{%- set max_pipeline_push_loss = var('max_pipeline_push_loss') -%}
with

outcomes as (
    select * from {{ ref('int_pruning_pipeline_outcomes') }}
),

timeline as (
    select * from {{ ref('int_pruning_push_timeline') }}
),

lost as (
    select * from {{ ref('int_pruning_lost_pushes') }}
),

sum_pipelines as (
    select
        configuration_id,
        policy_name,
        threshold,
        age_bound_multiplier,
        pipeline_loss_cap,
        period,
        sum(graphlet_count) as graphlet_count,
        sum(pruned_graphlet_count) as pruned_graphlet_count,
        sum(prunable_wasted_cost) as prunable_wasted_cost,
        sum(avoided_wasted_cost) as avoided_wasted_cost,
        sum(push_count) as push_count,
        sum(lost_push_count) as lost_push_count,
        sum(model_age_hour_hours) / nullif(sum(observed_hours), 0)
            as mean_deployed_model_age_hours,
        max(cast(lost_push_count as double) / push_count) filter (where push_count >= 2)
            as max_pipeline_pushes_lost_share,
        count(*) filter (
            where push_count >= 2
            and cast(lost_push_count as double) / push_count > {{ max_pipeline_push_loss }}
        ) as starved_pipeline_count
    from outcomes
    group by
        configuration_id, policy_name, threshold, age_bound_multiplier, pipeline_loss_cap, period
    having sum(graphlet_count) > 0
),

{#- Active time does not depend on the policy: summed once per period. -#}
count_pipeline_weeks as (
    select period, sum(active_hours) / (7 * 24e0) as pipeline_weeks
    from outcomes
    where policy_name = 'never_prune'
    group by period
),

{#- The gaps between a configuration's consecutive kept pushes, from the unpruned
    timeline: a gap stays where neither of its pushes is lost; across a run of lost
    pushes, one gap joins the kept push before the run to the one after it (none when
    the run starts or ends the pipeline's pushes in the period). -#}
list_configurations as (
    select distinct configuration_id from outcomes
),

{#- A gap is broken where its push or the one before it is lost (period push keys
    are consecutive within a pipeline and period; the key after a pipeline's last push
    is the next one's first, which has no gap to break). -#}
list_broken_gaps as (
    select configuration_id, period_push_key from lost
    union
    select
        configuration_id,
        period_push_key + 1 as period_push_key
    from lost
),

keep_unpruned_gaps as (
    select
        list_configurations.configuration_id,
        timeline.period,
        timeline.gap_hours
    from timeline
    cross join list_configurations
    left join list_broken_gaps
        on list_configurations.configuration_id = list_broken_gaps.configuration_id
        and timeline.period_push_key = list_broken_gaps.period_push_key
    where timeline.gap_hours is not null
        and list_broken_gaps.configuration_id is null
),

number_lost_runs as (
    select
        configuration_id,
        pipeline_name,
        period,
        period_push_position,
        period_push_key,
        period_push_position - row_number() over (
            partition by configuration_id, pipeline_name, period order by period_push_position
        ) as lost_run_key
    from lost
),

{#- A run that starts at its pipeline's first push of the period has no kept push
    before it; one that ends at the last has none after it (the key after it belongs
    to another pipeline or period, whose position there is 1). -#}
bound_lost_runs as (
    select
        configuration_id,
        min(period_push_position) as first_lost_position,
        max(period_push_position) as last_lost_position,
        min(period_push_key) - 1 as kept_before_key,
        max(period_push_key) + 1 as kept_after_key
    from number_lost_runs
    group by configuration_id, pipeline_name, period, lost_run_key
),

measure_gaps_across_runs as (
    select
        bound_lost_runs.configuration_id,
        kept_after.period,
        (kept_after.pushed_at_ms - kept_before.pushed_at_ms) / 3600000e0 as gap_hours
    from bound_lost_runs
    inner join timeline as kept_before
        on bound_lost_runs.kept_before_key = kept_before.period_push_key
    inner join timeline as kept_after
        on bound_lost_runs.kept_after_key = kept_after.period_push_key
    where bound_lost_runs.first_lost_position > 1
        and kept_after.period_push_position = bound_lost_runs.last_lost_position + 1
),

pool_push_gaps as (
    select * from keep_unpruned_gaps
    union all
    select * from measure_gaps_across_runs
),

summarise_push_gaps as (
    select
        configuration_id,
        period,
        {{ graphlets.percentile_cont('gap_hours', 0.5) }} as median_push_gap_hours,
        {{ graphlets.percentile_cont('gap_hours', 0.9) }} as p90_push_gap_hours
    from pool_push_gaps
    group by configuration_id, period
),

combine_figures as (
    select
        sum_pipelines.*,
        count_pipeline_weeks.pipeline_weeks,
        summarise_push_gaps.median_push_gap_hours,
        summarise_push_gaps.p90_push_gap_hours
    from sum_pipelines
    left join count_pipeline_weeks on sum_pipelines.period = count_pipeline_weeks.period
    left join summarise_push_gaps
        on sum_pipelines.configuration_id = summarise_push_gaps.configuration_id
        and sum_pipelines.period = summarise_push_gaps.period
),

final as (
    select
        figures.policy_name,
        cast(figures.threshold as double) as threshold,
        cast(figures.age_bound_multiplier as double) as age_bound_multiplier,
        cast(figures.pipeline_loss_cap as double) as pipeline_loss_cap,
        figures.period,
        cast(figures.graphlet_count as bigint) as graphlet_count,
        cast(figures.pruned_graphlet_count as bigint) as pruned_graphlet_count,
        cast(figures.prunable_wasted_cost as double) as prunable_wasted_cost,
        cast(figures.avoided_wasted_cost as double) as avoided_wasted_cost,
        case
            when figures.prunable_wasted_cost > 0
                then figures.avoided_wasted_cost / figures.prunable_wasted_cost
        end as waste_avoided_share,
        cast(figures.push_count as bigint) as push_count,
        cast(figures.lost_push_count as bigint) as lost_push_count,
        case
            when figures.push_count > 0
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
        unpruned.mean_deployed_model_age_hours as mean_deployed_model_age_hours_unpruned,
        figures.mean_deployed_model_age_hours
        / nullif(unpruned.mean_deployed_model_age_hours, 0) - 1
            as mean_deployed_model_age_increase,
        figures.max_pipeline_pushes_lost_share,
        cast(figures.starved_pipeline_count as bigint) as starved_pipeline_count
    from combine_figures as figures
    inner join combine_figures as unpruned
        on unpruned.policy_name = 'never_prune' and figures.period = unpruned.period
)

select * from final
