{#- The headline policy's decision on every graphlet: the guarded model policy at the
    configuration chosen on the training period, replayed over both periods
    (int_pruning_chosen_decisions). Each row says what the decision
    knew at `decided_at` (the predicted push probability, the deployed model's age, the
    pipeline's age bound and expected lost share of pushes) and why it went as it did:
    pruned below the threshold, or kept above it, by the age guard or by the loss cap.
    The outcome columns (is_pushed, is_lost_push) come after the fact, for auditing. -#}
with

replay as (
    select * from {{ ref('int_pruning_chosen_decisions') }}
),

configurations as (
    select * from {{ ref('int_pruning_configurations') }}
),

bounds as (
    select * from {{ ref('int_pruning_freshness_bounds') }}
),

predictions as (
    select * from {{ ref('fct_graphlet_push_predictions') }}
),

final as (
    select
        replay.graphlet_id,
        replay.pipeline_name,
        predictions.decided_at,
        predictions.decided_at_ms,
        replay.period,
        predictions.predicted_push_probability,
        configurations.threshold,
        configurations.age_bound_multiplier * bounds.age_bound_hours as age_bound_hours,
        (predictions.decided_at_ms - replay.deployed_push_ms) / 3600000e0
            as deployed_model_age_hours,
        case
            when replay.expected_push_sum > 0
                then replay.expected_lost_sum / replay.expected_push_sum
        end as expected_pushes_lost_share,
        replay.decision_reason = 'pruned_below_threshold' as is_pruned,
        replay.decision_reason,
        predictions.outcome,
        predictions.is_pushed,
        coalesce(predictions.is_pushed and replay.decision_reason = 'pruned_below_threshold', false)
            as is_lost_push,
        predictions.prunable_cost
    from replay
    inner join configurations on replay.configuration_id = configurations.configuration_id
    inner join predictions on replay.graphlet_id = predictions.graphlet_id
    left join bounds on replay.pipeline_name = bounds.pipeline_name
)

select * from final
