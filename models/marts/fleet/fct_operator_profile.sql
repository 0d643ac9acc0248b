{#- Operators (definitions §5): per operator category and per execution type, how
    often they ran, hit the cache, failed, what they cost and wasted. -#}
with

ledger as (
    select * from {{ ref('fct_execution_waste') }}
),

fleet as (
    select
        sum(cost) as fleet_cost,
        sum(cost) filter (where waste_status = 'wasted') as fleet_wasted_cost
    from ledger
),

labelled as (
    select
        'category' as profile_level,
        category as profile_value,
        category,
        state,
        cost,
        waste_status
    from ledger
    union all
    select
        'execution_type' as profile_level,
        execution_type as profile_value,
        category,
        state,
        cost,
        waste_status
    from ledger
),

grouped as (
    select
        profile_level,
        profile_value,
        min(category) as category,
        count(*) as run_count,
        count(*) filter (where state = 'CACHED') as cached_count,
        count(*) filter (where state = 'FAILED') as failed_count,
        count(*) filter (where state = 'CANCELED') as canceled_count,
        sum(cost) as total_cost,
        coalesce(sum(cost) filter (where waste_status = 'wasted'), 0) as wasted_cost,
        coalesce(sum(cost) filter (where waste_status = 'pending'), 0) as pending_cost,
        {{ graphlets.percentile_cont('cost', 0.5) }} filter (where state != 'CACHED')
            as median_run_cost
    from labelled
    group by profile_level, profile_value
),

final as (
    select
        grouped.profile_level || ':' || grouped.profile_value as profile_id,
        grouped.profile_level,
        grouped.profile_value,
        grouped.category,
        grouped.run_count,
        grouped.cached_count,
        grouped.failed_count,
        grouped.canceled_count,
        cast(grouped.cached_count as double) / grouped.run_count as cache_hit_rate,
        cast(grouped.failed_count as double)
        / nullif(grouped.run_count - grouped.cached_count, 0) as failure_rate,
        grouped.total_cost,
        grouped.median_run_cost,
        grouped.total_cost / nullif(fleet.fleet_cost, 0) as cost_share,
        grouped.wasted_cost,
        grouped.pending_cost,
        grouped.wasted_cost / nullif(grouped.total_cost - grouped.pending_cost, 0)
            as waste_share,
        grouped.wasted_cost / nullif(fleet.fleet_wasted_cost, 0) as share_of_fleet_waste
    from grouped
    cross join fleet
)

select * from final
