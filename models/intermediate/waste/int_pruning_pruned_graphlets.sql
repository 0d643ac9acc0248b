{#- Every graphlet each policy configuration prunes (definitions §4), one row per
    configuration (int_pruning_configurations) and pruned graphlet, pending graphlets
    included (a policy decides on them too; the figures leave them out). A graphlet
    with no row here is kept. Only pruned graphlets are listed because only they move
    a figure: every count and age is the unpruned one plus what the pruned graphlets
    change (a third of all decisions at the study's scale).
    - model: pruned when `predicted_push_probability < threshold`;
    - guarded_model: pruned below its threshold unless a freshness guard kept it
      (int_pruning_guarded_replay);
    - previous_not_pushed: pruned when the pipeline's last graphlet known at the
      decision point did not push; oracle: pruned exactly when it did not push;
      never_prune prunes nothing. -#}
with

configurations as (
    select * from {{ ref('int_pruning_configurations') }}
),

predictions as (
    select * from {{ ref('int_graphlet_push_predictions') }}
),

guarded as (
    select * from {{ ref('int_pruning_guarded_replay') }}
),

prune_below_threshold as (
    select
        configurations.configuration_id,
        predictions.graphlet_id
    from predictions
    inner join configurations
        on configurations.policy_name = 'model'
        and predictions.predicted_push_probability < configurations.threshold
),

prune_guarded as (
    select
        configuration_id,
        graphlet_id
    from guarded
    where decision_reason = 'pruned_below_threshold'
),

prune_by_baselines as (
    select
        configurations.configuration_id,
        predictions.graphlet_id
    from predictions
    inner join configurations
        on (
            configurations.policy_name = 'previous_not_pushed'
            and coalesce(not predictions.previous_is_pushed, false)
        )
        or (configurations.policy_name = 'oracle' and not predictions.is_pushed)
),

final as (
    select * from prune_below_threshold
    union all
    select * from prune_guarded
    union all
    select * from prune_by_baselines
)

select * from final
