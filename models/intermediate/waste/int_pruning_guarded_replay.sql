{#- The guarded model policy replayed over time, per candidate configuration (threshold
    0.00..1.00 by 0.05, times each age bound multiplier of the var
    `age_bound_multipliers`) and pipeline, one graphlet at a time in decision order
    (`decided_at_ms`, then id): a decision depends on what the policy kept before, so
    this is a recursive CTE whose state is carried from each graphlet to the next of its
    pipeline. All configurations and pipelines advance together, one step per position,
    so the recursion is as deep as the longest pipeline.

    A graphlet whose `predicted_push_probability < threshold` is pruned unless a guard
    keeps it:
    - age guard: the pipeline's deployed model (the latest push of a graphlet the policy
      kept that landed before this decision) is missing or older than the multiplier
      times the pipeline's `age_bound_hours` (int_pruning_freshness_bounds);
    - loss cap: pruning it would raise the pipeline's expected lost share of pushes in
      this period (the predicted push probabilities of its pruned graphlets over those
      of all its graphlets decided so far, this one included) above the var
      `pipeline_loss_cap` (0.25, half the headline's bound on any pipeline's loss:
      the actual loss scatters around the expected one).
    Only what is known at `decided_at` enters a decision: predictions, the bound (from
    pushes before the cutoff), the policy's own earlier decisions and the pushes of kept
    graphlets that landed before it; never whether this or a later graphlet pushes.
    Pushes of kept graphlets still running at a decision wait in `pending_push_ms`. -#}
{%- set threshold_steps = 20 -%}
{%- set age_bound_multipliers = var('age_bound_multipliers') -%}
{%- set pipeline_loss_cap = var('pipeline_loss_cap') -%}
with recursive

predictions as (
    select * from {{ ref('int_graphlet_push_predictions') }}
),

bounds as (
    select * from {{ ref('int_pruning_freshness_bounds') }}
),

list_multipliers as (
    {%- for multiplier in age_bound_multipliers %}
    select {{ multiplier }} as age_bound_multiplier{{ ' union all' if not loop.last }}
    {%- endfor %}
),

list_configurations as (
    select
        cast(steps.step as double) / {{ threshold_steps }} as threshold,
        cast(list_multipliers.age_bound_multiplier as double) as age_bound_multiplier,
        cast({{ pipeline_loss_cap }} as double) as pipeline_loss_cap
    from ({{ graphlets.integer_steps(threshold_steps) }}) as steps
    cross join list_multipliers
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
        list_configurations.threshold,
        list_configurations.age_bound_multiplier,
        list_configurations.pipeline_loss_cap,
        pipelines.pipeline_name,
        cast(0 as bigint) as replay_position,
        cast(null as bigint) as graphlet_id,
        cast(null as string) as period,
        cast(null as bigint) as decided_at_ms,
        cast(null as double) as predicted_push_probability,
        cast(null as double) as age_bound_hours,
        cast(null as bigint) as deployed_push_ms,
        {{ graphlets.empty_instant_list() }} as pending_push_ms,
        cast(0 as double) as expected_push_sum,
        cast(0 as double) as expected_lost_sum,
        cast(null as string) as decision_reason
    from (select distinct pipeline_name from order_graphlets) as pipelines
    cross join list_configurations
    union all
    select
        decided.threshold,
        decided.age_bound_multiplier,
        decided.pipeline_loss_cap,
        decided.pipeline_name,
        decided.replay_position,
        decided.graphlet_id,
        decided.period,
        decided.decided_at_ms,
        decided.predicted_push_probability,
        decided.age_bound_hours,
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
    select
        threshold,
        age_bound_multiplier,
        pipeline_loss_cap,
        graphlet_id,
        pipeline_name,
        period,
        decided_at_ms,
        predicted_push_probability,
        age_bound_multiplier * age_bound_hours as age_bound_hours,
        deployed_push_ms,
        (decided_at_ms - deployed_push_ms) / 3600000e0 as deployed_model_age_hours,
        case when expected_push_sum > 0 then expected_lost_sum / expected_push_sum end
            as expected_pushes_lost_share,
        decision_reason,
        decision_reason = 'pruned_below_threshold' as is_pruned
    from replay
    where replay_position > 0
)

select * from final
