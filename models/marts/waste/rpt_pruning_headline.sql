{#- The pruning headline (definitions §4), one row: the guarded policy's configuration
    chosen on the training period alone (int_pruning_chosen_policies: the most prunable
    waste avoided within every constraint), then its figures on the evaluation period,
    each constraint with its limit, its measured value and whether it is met; beside it
    the unguarded policy (largest threshold within `max_push_loss` on training) and the
    rule baseline (prune when the pipeline's previous graphlet did not push).
    With no graphlet to train on or to evaluate, the row says `nothing_to_backtest`. -#}
with

tradeoff as (
    select * from {{ ref('rpt_pruning_tradeoff') }}
),

chosen as (
    select * from {{ ref('int_pruning_chosen_policies') }}
),

predictions as (
    select * from {{ ref('fct_graphlet_push_predictions') }}
),

cutoff as (
    select * from {{ ref('int_pruning_cutoff') }}
),

bounds as (
    select * from {{ ref('int_pruning_freshness_bounds') }}
),

find_chosen_rows as (
    select tradeoff.*
    from tradeoff
    inner join chosen
        on {{ graphlets.same_policy('tradeoff', 'chosen') }}
),

find_guarded_training_row as (
    select * from find_chosen_rows
    where policy_name = 'guarded_model' and period = 'training'
),

find_guarded_row as (
    select * from find_chosen_rows
    where policy_name = 'guarded_model' and period = 'evaluation'
),

find_unguarded_row as (
    select * from find_chosen_rows
    where policy_name = 'model' and period = 'evaluation'
),

find_rule_row as (
    select * from tradeoff
    where policy_name = 'previous_not_pushed' and period = 'evaluation'
),

find_fleet_bound as (
    select max(fleet_p90_push_gap_hours) as fleet_p90_push_gap_hours
    from bounds
),

count_graphlets as (
    select
        count(*) filter (where period = 'training' and outcome <> 'pending')
            as training_graphlet_count,
        count(*) filter (where period = 'evaluation' and outcome <> 'pending')
            as evaluation_graphlet_count,
        cast(max(model_name) as string) as model_name
    from predictions
),

judge_constraints as (
    select
        find_guarded_row.*,
        coalesce(find_guarded_row.pushes_lost_share, 0) <= {{ var('max_push_loss') }}
            as is_push_loss_met,
        coalesce(find_guarded_row.mean_deployed_model_age_increase, 0)
        <= {{ var('max_age_increase') }} as is_age_increase_met,
        find_guarded_row.starved_pipeline_count = 0 as is_pipeline_loss_met
    from find_guarded_row
),

final as (
    select
        case
            when count_graphlets.training_graphlet_count = 0
                or count_graphlets.evaluation_graphlet_count = 0
                then 'nothing_to_backtest'
            else 'backtested'
        end as backtest_status,
        cast(coalesce(judge_constraints.threshold, 0e0) as double) as threshold,
        judge_constraints.age_bound_multiplier,
        judge_constraints.pipeline_loss_cap,
        cast(find_fleet_bound.fleet_p90_push_gap_hours as double)
            as fleet_default_age_bound_hours,
        find_guarded_training_row.pushes_lost_share as training_pushes_lost_share,
        find_guarded_training_row.waste_avoided_share as training_waste_avoided_share,
        find_guarded_training_row.mean_deployed_model_age_increase
            as training_mean_deployed_model_age_increase,
        judge_constraints.waste_avoided_share,
        judge_constraints.prunable_wasted_cost,
        judge_constraints.avoided_wasted_cost,
        judge_constraints.push_count,
        judge_constraints.lost_push_count,
        cast({{ var('max_push_loss') }} as double) as max_push_loss,
        judge_constraints.pushes_lost_share,
        judge_constraints.is_push_loss_met,
        cast({{ var('max_age_increase') }} as double) as max_age_increase,
        judge_constraints.mean_deployed_model_age_increase,
        judge_constraints.is_age_increase_met,
        cast({{ var('max_pipeline_push_loss') }} as double) as max_pipeline_push_loss,
        judge_constraints.max_pipeline_pushes_lost_share,
        judge_constraints.starved_pipeline_count,
        judge_constraints.is_pipeline_loss_met,
        judge_constraints.is_push_loss_met
        and judge_constraints.is_age_increase_met
        and judge_constraints.is_pipeline_loss_met as is_within_all_constraints,
        judge_constraints.pushes_per_pipeline_week,
        judge_constraints.pushes_per_pipeline_week_unpruned,
        judge_constraints.median_push_gap_hours,
        judge_constraints.median_push_gap_hours_unpruned,
        judge_constraints.p90_push_gap_hours,
        judge_constraints.p90_push_gap_hours_unpruned,
        judge_constraints.mean_deployed_model_age_hours,
        judge_constraints.mean_deployed_model_age_hours_unpruned,
        find_unguarded_row.threshold as unguarded_threshold,
        find_unguarded_row.waste_avoided_share as unguarded_waste_avoided_share,
        find_unguarded_row.pushes_lost_share as unguarded_pushes_lost_share,
        find_unguarded_row.mean_deployed_model_age_increase
            as unguarded_mean_deployed_model_age_increase,
        find_unguarded_row.max_pipeline_pushes_lost_share
            as unguarded_max_pipeline_pushes_lost_share,
        find_unguarded_row.starved_pipeline_count as unguarded_starved_pipeline_count,
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
    from count_graphlets
    cross join cutoff
    cross join find_fleet_bound
    left join judge_constraints on true
    left join find_guarded_training_row on true
    left join find_unguarded_row on true
    left join find_rule_row on true
)

select * from final
