{#- The guarded model policy's decision on every graphlet, for every guarded
    configuration of int_pruning_configurations (threshold 0.00..1.00 by 0.05, times
    each age bound multiplier of the var `age_bound_multipliers`), replayed over time
    one graphlet at a time per pipeline, in decision order (`decided_at_ms`, then id).
    A decision depends on what the policy kept before, so this is a recursive CTE
    whose state is carried from each graphlet to the next of its pipeline; all
    configurations and pipelines advance together, one step per position, so the
    recursion is as deep as the longest pipeline.

    Narrow on purpose: configuration, graphlet and reason, 47 M rows at the study's
    scale. Inside the recursion the pipeline, the period and the reason are small
    integer codes (the recursion copies every row it makes; names of more than 12
    characters cost a string allocation each), decoded at the end. What the headline
    configuration's decisions knew is rebuilt from them in int_pruning_chosen_decisions.

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
{%- set reasons = [
    'pruned_below_threshold', 'kept_above_threshold', 'kept_by_age_guard', 'kept_by_loss_cap'
] -%}
with recursive

predictions as (
    select * from {{ ref('int_graphlet_push_predictions') }}
),

bounds as (
    select * from {{ ref('int_pruning_freshness_bounds') }}
),

configurations as (
    select * from {{ ref('int_pruning_configurations') }}
    where policy_name = 'guarded_model'
),

order_graphlets as (
    select
        cast(dense_rank() over (order by predictions.pipeline_name) as bigint) as pipeline_key,
        cast(row_number() over (
            partition by predictions.pipeline_name
            order by predictions.decided_at_ms, predictions.graphlet_id
        ) as bigint) as replay_position,
        predictions.graphlet_id,
        predictions.period = 'evaluation' as is_evaluation,
        predictions.decided_at_ms,
        predictions.predicted_push_probability,
        coalesce(predictions.is_pushed, false) as is_pushed,
        predictions.pushed_at_ms,
        bounds.age_bound_hours
    from predictions
    left join bounds on predictions.pipeline_name = bounds.pipeline_name
    -- a graphlet without a pipeline has no pipeline history to replay
    where predictions.pipeline_name is not null
),

{#- reason_code: 0 pruned below the threshold, 1 kept above it, 2 kept by the age
    guard, 3 kept by the loss cap. -#}
replay as (
    -- position 0: before a pipeline's first graphlet, nothing kept, nothing expected
    select
        configurations.configuration_id,
        pipelines.pipeline_key,
        cast(0 as bigint) as replay_position,
        cast(null as bigint) as graphlet_id,
        cast(null as boolean) as is_evaluation,
        cast(null as bigint) as deployed_push_ms,
        {{ graphlets.empty_instant_list() }} as pending_push_ms,
        cast(0 as double) as expected_push_sum,
        cast(0 as double) as expected_lost_sum,
        cast(null as tinyint) as reason_code
    from (select distinct pipeline_key from order_graphlets) as pipelines
    cross join configurations
    union all
    select
        decided.configuration_id,
        decided.pipeline_key,
        decided.replay_position,
        decided.graphlet_id,
        decided.is_evaluation,
        decided.deployed_push_ms,
        {{ graphlets.append_instant_when(
            'decided.pending_push_ms', 'decided.pushed_at_ms',
            "decided.is_pushed and decided.reason_code <> 0"
        ) }} as pending_push_ms,
        decided.expected_push_sum,
        decided.expected_lost_before
        + case
            when decided.reason_code = 0 then decided.predicted_push_probability
            else 0
        end as expected_lost_sum,
        decided.reason_code
    from (
        select
            observed.*,
            cast(case
                when observed.predicted_push_probability >= observed.threshold then 1
                when observed.deployed_push_ms is null
                    or (observed.decided_at_ms - observed.deployed_push_ms) / 3600000e0
                    > observed.age_bound_multiplier * observed.age_bound_hours
                    then 2
                when observed.expected_lost_before + observed.predicted_push_probability
                    > observed.pipeline_loss_cap * observed.expected_push_sum + 1e-9
                    then 3
                else 0
            end as tinyint) as reason_code
        from (
            select
                previous.configuration_id,
                configurations.threshold,
                configurations.age_bound_multiplier,
                configurations.pipeline_loss_cap,
                current_graphlet.pipeline_key,
                current_graphlet.replay_position,
                current_graphlet.graphlet_id,
                current_graphlet.is_evaluation,
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
                    when previous.is_evaluation = current_graphlet.is_evaluation
                        then previous.expected_push_sum
                    else 0
                end
                + current_graphlet.predicted_push_probability as expected_push_sum,
                case
                    when previous.is_evaluation = current_graphlet.is_evaluation
                        then previous.expected_lost_sum
                    else 0
                end as expected_lost_before
            from replay as previous
            inner join order_graphlets as current_graphlet
                on previous.pipeline_key = current_graphlet.pipeline_key
                and current_graphlet.replay_position = previous.replay_position + 1
            inner join configurations
                on previous.configuration_id = configurations.configuration_id
        ) as observed
    ) as decided
),

final as (
    select
        configuration_id,
        graphlet_id,
        case reason_code
            {%- for reason in reasons %}
            when {{ loop.index0 }} then '{{ reason }}'
            {%- endfor %}
        end as decision_reason
    from replay
    where replay_position > 0
)

select * from final
