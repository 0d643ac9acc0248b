{#- The pruning headline (spec section 4), one row: the threshold is chosen on the
    training period alone, as the largest whose training pushes_lost_share is at most
    the var `max_push_loss`; then its figures on the evaluation period, beside the rule
    baseline's (prune when the pipeline's previous graphlet did not push). -#}
with

tradeoff as (
    select * from {{ ref('rpt_pruning_tradeoff') }}
),

predictions as (
    select * from {{ ref('fct_graphlet_push_predictions') }}
),

cutoff as (
    select * from {{ ref('int_pruning_cutoff') }}
),

choose_threshold as (
    select coalesce(max(threshold), 0.0) as threshold
    from tradeoff
    where policy = 'model'
        and period = 'training'
        and coalesce(pushes_lost_share, 0) <= {{ var('max_push_loss') }}
),

find_training_row as (
    select tradeoff.*
    from tradeoff
    inner join choose_threshold on tradeoff.threshold = choose_threshold.threshold
    where tradeoff.policy = 'model' and tradeoff.period = 'training'
),

find_evaluation_row as (
    select tradeoff.*
    from tradeoff
    inner join choose_threshold on tradeoff.threshold = choose_threshold.threshold
    where tradeoff.policy = 'model' and tradeoff.period = 'evaluation'
),

find_rule_row as (
    select * from tradeoff
    where policy = 'previous_not_pushed' and period = 'evaluation'
),

count_graphlets as (
    select
        count(*) filter (where period = 'training' and outcome <> 'pending')
            as training_graphlet_count,
        count(*) filter (where period = 'evaluation' and outcome <> 'pending')
            as evaluation_graphlet_count,
        cast(max(model_name) as varchar) as model_name
    from predictions
),

final as (
    select
        choose_threshold.threshold,
        find_training_row.pushes_lost_share as training_pushes_lost_share,
        find_training_row.waste_avoided_share as training_waste_avoided_share,
        find_evaluation_row.waste_avoided_share,
        find_evaluation_row.pushes_lost_share,
        find_evaluation_row.prunable_wasted_cost,
        find_evaluation_row.avoided_wasted_cost,
        find_evaluation_row.push_count,
        find_evaluation_row.lost_push_count,
        find_evaluation_row.pushes_per_pipeline_week,
        find_evaluation_row.pushes_per_pipeline_week_unpruned,
        find_evaluation_row.median_push_gap_hours,
        find_evaluation_row.median_push_gap_hours_unpruned,
        find_evaluation_row.p90_push_gap_hours,
        find_evaluation_row.p90_push_gap_hours_unpruned,
        find_evaluation_row.mean_deployed_model_age_hours,
        find_evaluation_row.mean_deployed_model_age_hours_unpruned,
        find_rule_row.waste_avoided_share as rule_waste_avoided_share,
        find_rule_row.pushes_lost_share as rule_pushes_lost_share,
        {{ graphlets.ms_to_timestamp('cutoff.cutoff_at_ms') }} as cutoff_at,
        cutoff.cutoff_source,
        count_graphlets.training_graphlet_count,
        count_graphlets.evaluation_graphlet_count,
        count_graphlets.model_name,
        case
            when cutoff.cutoff_at_ms is null
                then 'nothing to backtest: no graphlet has been decided (pushed or not)'
            when count_graphlets.training_graphlet_count = 0
                then 'nothing to backtest: no decided graphlet before the cutoff to train on'
            when count_graphlets.evaluation_graphlet_count = 0
                then 'nothing to backtest: no decided graphlet after the cutoff to evaluate'
        end as nothing_to_backtest_reason
    from choose_threshold
    cross join cutoff
    cross join count_graphlets
    left join find_training_row on true
    left join find_evaluation_row on true
    left join find_rule_row on true
)

select * from final
