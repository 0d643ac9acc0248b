{#- Pipelines and training cadence (definitions §5) as distributions a BI tool can
    draw: quantiles (p00..p100, linear interpolation) over pipelines, or over the gaps
    between consecutive trainings and consecutive pushes of one pipeline. -#}
with

pipelines as (
    select * from {{ ref('dim_pipelines') }}
),

cadence as (
    select * from {{ ref('fct_training_cadence') }}
),

metric_values as (
    select
        'lifespan_days' as metric,
        cast(lifespan_days as double) as metric_value
    from pipelines
    union all
    select
        'active_days' as metric,
        cast(active_days as double) as metric_value
    from pipelines
    union all
    select
        'models_trained' as metric,
        cast(models_trained as double) as metric_value
    from pipelines
    union all
    select
        'graphlet_count' as metric,
        cast(graphlet_count as double) as metric_value
    from pipelines
    union all
    select
        'trainings_per_week' as metric,
        cast(trainings_per_week as double) as metric_value
    from pipelines
    union all
    select
        'push_count' as metric,
        cast(push_count as double) as metric_value
    from pipelines
    union all
    select
        'push_rate' as metric,
        cast(push_rate as double) as metric_value
    from pipelines
    union all
    select
        'training_gap_hours' as metric,
        gap_hours as metric_value
    from cadence
    where cadence_kind = 'training'
    union all
    select
        'push_gap_hours' as metric,
        gap_hours as metric_value
    from cadence
    where cadence_kind = 'push'
),

quantiles as (
    {{ graphlets.distribution_rows('metric_values') }}
),

final as (
    select
        metric,
        case
            when metric like '%gap_hours' then 'pipeline_gap' else 'pipeline'
        end as observation_unit,
        bucket,
        cast(quantile as double) as quantile,
        cast(metric_value as double) as metric_value,
        observation_count,
        cast(mean_value as double) as mean_value
    from quantiles
)

select * from final
