{#- Every policy's decision on every graphlet (definitions §4), one row per policy,
    configuration and graphlet, pending graphlets included (a policy decides on them
    too; the figures leave them out):
    - model: prune when `predicted_push_probability < threshold` (0.00..1.00 by 0.02);
    - guarded_model: the same with the freshness guards, per threshold (by 0.05), age
      bound multiplier and pipeline loss cap (int_pruning_guarded_replay);
    - never_prune; previous_not_pushed: prune when the pipeline's last graphlet known at
      the decision point did not push; oracle: prune exactly the graphlets that did not
      push. -#}
{%- set threshold_steps = 50 -%}
with

predictions as (
    select * from {{ ref('int_graphlet_push_predictions') }}
),

guarded as (
    select * from {{ ref('int_pruning_guarded_replay') }}
),

list_thresholds as (
    select cast(step as double) / {{ threshold_steps }} as threshold
    from ({{ graphlets.integer_steps(threshold_steps) }}) as steps
),

decide_unguarded as (
    select
        'model' as policy_name,
        list_thresholds.threshold,
        cast(null as double) as age_bound_multiplier,
        cast(null as double) as pipeline_loss_cap,
        predictions.graphlet_id,
        case
            when predictions.predicted_push_probability < list_thresholds.threshold
                then 'pruned_below_threshold'
            else 'kept_above_threshold'
        end as decision_reason
    from predictions
    cross join list_thresholds
),

decide_guarded as (
    select
        'guarded_model' as policy_name,
        threshold,
        age_bound_multiplier,
        pipeline_loss_cap,
        graphlet_id,
        decision_reason
    from guarded
),

list_baseline_policies as (
    select 'never_prune' as policy_name
    union all
    select 'previous_not_pushed' as policy_name
    union all
    select 'oracle' as policy_name
),

decide_baselines as (
    select
        list_baseline_policies.policy_name,
        cast(null as double) as threshold,
        cast(null as double) as age_bound_multiplier,
        cast(null as double) as pipeline_loss_cap,
        predictions.graphlet_id,
        case
            when list_baseline_policies.policy_name = 'previous_not_pushed'
                and coalesce(not predictions.previous_is_pushed, false)
                then 'pruned_by_policy'
            when list_baseline_policies.policy_name = 'oracle' and not predictions.is_pushed
                then 'pruned_by_policy'
            else 'kept_by_policy'
        end as decision_reason
    from predictions
    cross join list_baseline_policies
),

combine_decisions as (
    select * from decide_unguarded
    union all
    select * from decide_guarded
    union all
    select * from decide_baselines
),

final as (
    select
        combine_decisions.policy_name,
        combine_decisions.threshold,
        combine_decisions.age_bound_multiplier,
        combine_decisions.pipeline_loss_cap,
        combine_decisions.graphlet_id,
        predictions.pipeline_name,
        predictions.period,
        predictions.outcome,
        predictions.is_pushed,
        predictions.prunable_cost,
        predictions.pushed_at_ms,
        combine_decisions.decision_reason,
        combine_decisions.decision_reason like 'pruned%' as is_pruned
    from combine_decisions
    inner join predictions on combine_decisions.graphlet_id = predictions.graphlet_id
)

select * from final
