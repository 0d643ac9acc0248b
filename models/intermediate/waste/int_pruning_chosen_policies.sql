{#- The configurations the headline reports, each chosen on the training period alone
    (int_pruning_tradeoff), one row per policy:
    - guarded_model: of the configurations whose training figures meet every headline
      constraint (pushes_lost_share <= var `max_push_loss`, mean deployed-model age at
      most var `max_age_increase` above no pruning, no pipeline with 2 or more pushes
      losing more than var `max_pipeline_push_loss` of them), the one that avoids the
      most prunable waste; ties go to the lower threshold, then the tighter age bound.
      The share is compared to 9 decimals: sums in another order (another engine) differ
      in the last bits, which must not decide a tie.
      Threshold 0 prunes nothing and always qualifies.
    - model (unguarded): the largest threshold whose training pushes_lost_share is at
      most `max_push_loss`, the rule the headline used before the guards.
    No row for a policy when the training period has nothing to backtest. -#}
with

tradeoff as (
    select * from {{ ref('int_pruning_tradeoff') }}
    where period = 'training'
),

rank_guarded as (
    select
        policy_name,
        threshold,
        age_bound_multiplier,
        pipeline_loss_cap,
        row_number() over (
            order by
                round(coalesce(waste_avoided_share, 0), 9) desc, threshold,
                age_bound_multiplier asc
        ) as preference
    from tradeoff
    where policy_name = 'guarded_model'
        and coalesce(pushes_lost_share, 0) <= {{ var('max_push_loss') }}
        and coalesce(mean_deployed_model_age_increase, 0) <= {{ var('max_age_increase') }}
        and starved_pipeline_count = 0
),

rank_unguarded as (
    select
        policy_name,
        threshold,
        age_bound_multiplier,
        pipeline_loss_cap,
        row_number() over (order by threshold desc) as preference
    from tradeoff
    where policy_name = 'model'
        and coalesce(pushes_lost_share, 0) <= {{ var('max_push_loss') }}
),

final as (
    select policy_name, threshold, age_bound_multiplier, pipeline_loss_cap
    from rank_guarded
    where preference = 1
    union all
    select policy_name, threshold, age_bound_multiplier, pipeline_loss_cap
    from rank_unguarded
    where preference = 1
)

select * from final
