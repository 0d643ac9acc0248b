{#- Per pipeline, the freshness guard's age bound, learned on the training period like
    the threshold: the 90th percentile of the gaps between the pipeline's consecutive
    pushes that landed before the cutoff. A pipeline with fewer than
    `min_own_gaps` such gaps is too young to tell: it gets the fleet default, the 90th
    percentile of all pipelines' training gaps pooled. Every push read here landed
    before the cutoff, so the bound is known at every evaluation-period decision. -#}
{%- set min_own_gaps = 5 -%}
with

pushes as (
    select * from {{ ref('int_graphlet_pushes') }}
),

cutoff as (
    select * from {{ ref('int_pruning_cutoff') }}
),

list_pipelines as (
    select distinct pipeline_name
    from pushes
    where pipeline_name is not null
),

measure_training_gaps as (
    select
        pushes.pipeline_name,
        (pushes.pushed_at_ms - lag(pushes.pushed_at_ms) over (
            partition by pushes.pipeline_name
            order by pushes.pushed_at_ms, pushes.graphlet_id
        )) / 3600000e0 as gap_hours
    from pushes
    inner join cutoff on pushes.pushed_at_ms < cutoff.cutoff_at_ms
    where pushes.is_pushed and pushes.pipeline_name is not null
),

summarise_own_gaps as (
    select
        pipeline_name,
        count(*) as training_push_gap_count,
        {{ graphlets.percentile_cont('gap_hours', 0.9) }} as own_p90_push_gap_hours
    from measure_training_gaps
    where gap_hours is not null
    group by pipeline_name
),

summarise_fleet_gaps as (
    select {{ graphlets.percentile_cont('gap_hours', 0.9) }} as fleet_p90_push_gap_hours
    from measure_training_gaps
    where gap_hours is not null
),

final as (
    select
        list_pipelines.pipeline_name,
        cast(coalesce(summarise_own_gaps.training_push_gap_count, 0) as bigint)
            as training_push_gap_count,
        cast(summarise_own_gaps.own_p90_push_gap_hours as double) as own_p90_push_gap_hours,
        cast(summarise_fleet_gaps.fleet_p90_push_gap_hours as double)
            as fleet_p90_push_gap_hours,
        cast(
            case
                when coalesce(summarise_own_gaps.training_push_gap_count, 0) >= {{ min_own_gaps }}
                    then summarise_own_gaps.own_p90_push_gap_hours
                else summarise_fleet_gaps.fleet_p90_push_gap_hours
            end as double
        ) as age_bound_hours,
        case
            when coalesce(summarise_own_gaps.training_push_gap_count, 0) >= {{ min_own_gaps }}
                then 'own_p90_gap'
            else 'fleet_default'
        end as age_bound_source
    from list_pipelines
    cross join summarise_fleet_gaps
    left join summarise_own_gaps
        on list_pipelines.pipeline_name = summarise_own_gaps.pipeline_name
)

select * from final
