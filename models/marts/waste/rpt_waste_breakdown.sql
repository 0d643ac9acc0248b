{#- Wasted cost and waste share by fleet, pipeline, operator category, execution
    type and month (of the execution's start). The waste share is wasted cost over
    all cost that is not pending; null where there is no such cost. -#}
{%- set breakdowns = {
    'fleet': "'fleet'",
    'pipeline': 'pipeline_name',
    'category': 'category',
    'execution_type': 'execution_type',
    'month': graphlets.month_label('started_month'),
} -%}
with

ledger as (
    select * from {{ ref('fct_execution_waste') }}
),

{% for breakdown, expression in breakdowns.items() %}
by_{{ breakdown }} as (
    select
        '{{ breakdown }}' as breakdown,
        {{ expression }} as breakdown_value,
        count(*) as execution_count,
        sum(cost) as total_cost,
        sum(cost) filter (where waste_status = 'productive') as productive_cost,
        sum(cost) filter (where waste_status = 'pending') as pending_cost,
        sum(cost) filter (where waste_status = 'wasted') as wasted_cost,
        count(*) filter (where waste_status = 'wasted') as wasted_execution_count
    from ledger
    group by {{ expression }}
),
{% endfor %}

unioned as (
    {% for breakdown in breakdowns %}
    select * from by_{{ breakdown }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        breakdown,
        breakdown_value,
        execution_count,
        wasted_execution_count,
        total_cost,
        coalesce(productive_cost, 0) as productive_cost,
        coalesce(pending_cost, 0) as pending_cost,
        coalesce(wasted_cost, 0) as wasted_cost,
        coalesce(wasted_cost, 0) / nullif(total_cost - coalesce(pending_cost, 0), 0)
            as waste_share
    from unioned
)

select * from final
