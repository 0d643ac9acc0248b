{#- The guarded model policy replayed over time (definitions §4; the rules are in
    int_pruning_guarded_replay's header), for each configuration of `configurations`
    (a relation with configuration_id, threshold, age_bound_multiplier and
    pipeline_loss_cap): one graphlet at a time per pipeline in decision order
    (`decided_at_ms`, then id). A decision depends on what the policy kept before, so
    this is a recursive CTE whose state is carried from each graphlet to the next of
    its pipeline; all configurations and pipelines advance together, one step per
    position, so the recursion is as deep as the longest pipeline. One row per
    configuration and graphlet, with the `columns` asked for of the replay's state:
    configuration_id, graphlet_id, pipeline_name, replay_position, period,
    deployed_push_ms (the latest push of a kept graphlet that landed before the
    decision), expected_push_sum and expected_lost_sum (the period's predicted push
    probabilities so far, of all and of pruned graphlets) and decision_reason. -#}
{% macro guarded_replay(configurations, columns) -%}
with recursive

predictions as (
    select * from {{ ref('int_graphlet_push_predictions') }}
),

bounds as (
    select * from {{ ref('int_pruning_freshness_bounds') }}
),

configurations as (
    select * from {{ configurations }} as listed_configurations
),

order_graphlets as (
    select
        predictions.pipeline_name,
        cast(row_number() over (
            partition by predictions.pipeline_name
            order by predictions.decided_at_ms, predictions.graphlet_id
        ) as bigint) as replay_position,
        predictions.graphlet_id,
        predictions.period,
        predictions.decided_at_ms,
        predictions.predicted_push_probability,
        coalesce(predictions.is_pushed, false) as is_pushed,
        predictions.pushed_at_ms,
        bounds.age_bound_hours
    from predictions
    left join bounds on predictions.pipeline_name = bounds.pipeline_name
),

replay as (
    -- position 0: before a pipeline's first graphlet, nothing kept, nothing expected
    select
        configurations.configuration_id,
        configurations.threshold,
        configurations.age_bound_multiplier,
        configurations.pipeline_loss_cap,
        pipelines.pipeline_name,
        cast(0 as bigint) as replay_position,
        cast(null as bigint) as graphlet_id,
        cast(null as string) as period,
        cast(null as bigint) as deployed_push_ms,
        {{ graphlets.empty_instant_list() }} as pending_push_ms,
        cast(0 as double) as expected_push_sum,
        cast(0 as double) as expected_lost_sum,
        cast(null as string) as decision_reason
    from (select distinct pipeline_name from order_graphlets) as pipelines
    cross join configurations
    union all
    select
        decided.configuration_id,
        decided.threshold,
        decided.age_bound_multiplier,
        decided.pipeline_loss_cap,
        decided.pipeline_name,
        decided.replay_position,
        decided.graphlet_id,
        decided.period,
        decided.deployed_push_ms,
        {{ graphlets.append_instant_when(
            'decided.pending_push_ms', 'decided.pushed_at_ms',
            "decided.is_pushed and decided.decision_reason <> 'pruned_below_threshold'"
        ) }} as pending_push_ms,
        decided.expected_push_sum,
        decided.expected_lost_before
        + case
            when decided.decision_reason = 'pruned_below_threshold'
                then decided.predicted_push_probability
            else 0
        end as expected_lost_sum,
        decided.decision_reason
    from (
        select
            observed.*,
            case
                when observed.predicted_push_probability >= observed.threshold
                    then 'kept_above_threshold'
                when observed.deployed_push_ms is null
                    or (observed.decided_at_ms - observed.deployed_push_ms) / 3600000e0
                    > observed.age_bound_multiplier * observed.age_bound_hours
                    then 'kept_by_age_guard'
                when observed.expected_lost_before + observed.predicted_push_probability
                    > observed.pipeline_loss_cap * observed.expected_push_sum + 1e-9
                    then 'kept_by_loss_cap'
                else 'pruned_below_threshold'
            end as decision_reason
        from (
            select
                previous.configuration_id,
                previous.threshold,
                previous.age_bound_multiplier,
                previous.pipeline_loss_cap,
                current_graphlet.pipeline_name,
                current_graphlet.replay_position,
                current_graphlet.graphlet_id,
                current_graphlet.period,
                current_graphlet.decided_at_ms,
                current_graphlet.predicted_push_probability,
                current_graphlet.age_bound_hours,
                current_graphlet.is_pushed,
                current_graphlet.pushed_at_ms,
                greatest(
                    previous.deployed_push_ms,
                    {{ graphlets.latest_instant_before(
                        'previous.pending_push_ms', 'current_graphlet.decided_at_ms') }}
                ) as deployed_push_ms,
                {{ graphlets.instants_from(
                    'previous.pending_push_ms', 'current_graphlet.decided_at_ms') }}
                    as pending_push_ms,
                case
                    when previous.period = current_graphlet.period then previous.expected_push_sum
                    else 0
                end
                + current_graphlet.predicted_push_probability as expected_push_sum,
                case
                    when previous.period = current_graphlet.period then previous.expected_lost_sum
                    else 0
                end as expected_lost_before
            from replay as previous
            inner join order_graphlets as current_graphlet
                on previous.pipeline_name = current_graphlet.pipeline_name
                and current_graphlet.replay_position = previous.replay_position + 1
        ) as observed
    ) as decided
),

final as (
    select {{ columns | join(', ') }}
    from replay
    where replay_position > 0
)

select * from final
{%- endmacro %}
