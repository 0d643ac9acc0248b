{#- What the headline policy does to each pipeline on the evaluation period (spec
    section 4): pushes with and without pruning, lost pushes, the deployed model's mean
    and max age with and without, and the prunable waste avoided; beside it the
    unguarded policy's lost pushes and ages, so the pipelines it would starve show.
    Pipelines active in the evaluation period, worst (largest lost share) first by
    `impact_rank`. -#}
{%- set max_pipeline_push_loss = var('max_pipeline_push_loss') -%}
with

outcomes as (
    select * from {{ ref('int_pruning_pipeline_outcomes') }}
    where period = 'evaluation'
),

chosen as (
    select * from {{ ref('int_pruning_chosen_policies') }}
),

bounds as (
    select * from {{ ref('int_pruning_freshness_bounds') }}
),

select_policy_outcomes as (
    select outcomes.*
    from outcomes
    inner join chosen
        on {{ graphlets.same_policy('outcomes', 'chosen') }}
),

guarded as (
    select * from select_policy_outcomes
    where policy_name = 'guarded_model'
),

unguarded as (
    select * from select_policy_outcomes
    where policy_name = 'model'
),

unpruned as (
    select * from outcomes
    where policy_name = 'never_prune'
),

combine_policies as (
    select
        unpruned.pipeline_name,
        bounds.age_bound_hours * guarded.age_bound_multiplier as age_bound_hours,
        bounds.age_bound_source,
        unpruned.graphlet_count,
        guarded.pruned_graphlet_count,
        unpruned.push_count as push_count_unpruned,
        unpruned.push_count - guarded.lost_push_count as push_count,
        guarded.lost_push_count,
        case
            when unpruned.push_count > 0
                then cast(guarded.lost_push_count as double) / unpruned.push_count
        end as pushes_lost_share,
        guarded.mean_deployed_model_age_hours,
        unpruned.mean_deployed_model_age_hours as mean_deployed_model_age_hours_unpruned,
        guarded.max_deployed_model_age_hours,
        unpruned.max_deployed_model_age_hours as max_deployed_model_age_hours_unpruned,
        unpruned.prunable_wasted_cost,
        guarded.avoided_wasted_cost,
        case
            when unpruned.prunable_wasted_cost > 0
                then guarded.avoided_wasted_cost / unpruned.prunable_wasted_cost
        end as waste_avoided_share,
        unguarded.lost_push_count as unguarded_lost_push_count,
        case
            when unpruned.push_count > 0
                then cast(unguarded.lost_push_count as double) / unpruned.push_count
        end as unguarded_pushes_lost_share,
        unguarded.mean_deployed_model_age_hours as unguarded_mean_deployed_model_age_hours,
        unguarded.max_deployed_model_age_hours as unguarded_max_deployed_model_age_hours,
        unguarded.avoided_wasted_cost as unguarded_avoided_wasted_cost
    from unpruned
    inner join guarded on unpruned.pipeline_name = guarded.pipeline_name
    left join unguarded on unpruned.pipeline_name = unguarded.pipeline_name
    left join bounds on unpruned.pipeline_name = bounds.pipeline_name
),

final as (
    select
        *,
        push_count_unpruned >= 2
        and coalesce(pushes_lost_share, 0) > {{ max_pipeline_push_loss }} as is_starved,
        cast(row_number() over (
            order by
                coalesce(pushes_lost_share, 0) desc,
                {#- Rounded: two sums of the same ages in another order differ in
                    their last bits, which must not rank a pipeline. -#}
                round(
                    coalesce(mean_deployed_model_age_hours, 0)
                    - coalesce(mean_deployed_model_age_hours_unpruned, 0), 9
                ) desc,
                pipeline_name
        ) as bigint) as impact_rank
    from combine_policies
)

select * from final
