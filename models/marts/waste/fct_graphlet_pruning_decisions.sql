{#- The headline policy's decision on every graphlet: the guarded model policy at the
    configuration chosen on the training period (int_pruning_chosen_policies), replayed
    over both periods (int_pruning_guarded_replay). Each row says what the decision
    knew at `decided_at` (the predicted push probability, the deployed model's age, the
    pipeline's age bound and expected lost share of pushes) and why it went as it did:
    pruned below the threshold, or kept above it, by the age guard or by the loss cap.
    The outcome columns (is_pushed, is_lost_push) come after the fact, for auditing. -#}
with

replay as (
    select * from {{ ref('int_pruning_guarded_replay') }}
),

chosen as (
    select * from {{ ref('int_pruning_chosen_policies') }}
    where policy_name = 'guarded_model'
),

predictions as (
    select * from {{ ref('fct_graphlet_push_predictions') }}
),

select_headline_replay as (
    select replay.*
    from replay
    inner join chosen
        on replay.threshold = chosen.threshold
        and replay.age_bound_multiplier = chosen.age_bound_multiplier
),

final as (
    select
        select_headline_replay.graphlet_id,
        select_headline_replay.pipeline_name,
        predictions.decided_at,
        select_headline_replay.decided_at_ms,
        select_headline_replay.period,
        select_headline_replay.predicted_push_probability,
        select_headline_replay.threshold,
        select_headline_replay.age_bound_hours,
        select_headline_replay.deployed_model_age_hours,
        select_headline_replay.expected_pushes_lost_share,
        select_headline_replay.is_pruned,
        select_headline_replay.decision_reason,
        predictions.outcome,
        predictions.is_pushed,
        coalesce(predictions.is_pushed and select_headline_replay.is_pruned, false)
            as is_lost_push,
        predictions.prunable_cost
    from select_headline_replay
    inner join predictions on select_headline_replay.graphlet_id = predictions.graphlet_id
)

select * from final
