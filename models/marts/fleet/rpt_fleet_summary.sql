{#- One row of headline numbers for the whole fleet (definitions §5). -#}
{%- set as_of = var('as_of', none) -%}
with

pipelines as (
    select * from {{ ref('dim_pipelines') }}
),

graphlets as (
    select * from {{ ref('fct_graphlets') }}
),

ledger as (
    select * from {{ ref('fct_execution_waste') }}
),

quarantined as (
    select * from {{ ref('fct_quarantined_rows') }}
),

pipeline_rollup as (
    select
        count(*) as pipeline_count,
        cast(sum(run_count) as bigint) as run_count,
        min(first_activity_at_ms) as first_activity_at_ms,
        max(last_activity_at_ms) as last_activity_at_ms,
        {{ graphlets.percentile_cont('lifespan_days', 0.5) }} as median_lifespan_days,
        {{ graphlets.percentile_cont('trainings_per_week', 0.5) }}
            as median_trainings_per_week
    from pipelines
),

graphlet_rollup as (
    select
        count(*) as graphlet_count,
        count(model_artifact_id) as models_trained,
        count(*) filter (where outcome = 'pushed') as pushed_graphlet_count,
        count(*) filter (where outcome = 'pending') as pending_graphlet_count,
        count(*) filter (where outcome = 'training_failed') as failed_training_count,
        count(*) filter (where is_truncated) as truncated_graphlet_count,
        count(*) filter (where is_warm_started) as warm_started_graphlet_count
    from graphlets
),

cost_rollup as (
    select
        count(*) as execution_count,
        count(*) filter (where is_orphan) as orphan_execution_count,
        count(*) filter (where state = 'CACHED') as cached_execution_count,
        coalesce(sum(cost), 0) as total_cost,
        coalesce(sum(cost) filter (where waste_status = 'productive'), 0) as productive_cost,
        coalesce(sum(cost) filter (where waste_status = 'pending'), 0) as pending_cost,
        coalesce(sum(cost) filter (where waste_status = 'wasted'), 0) as wasted_cost
    from ledger
),

quarantine_rollup as (
    select count(*) as quarantined_row_count from quarantined
),

final as (
    select
        {%- if as_of in (none, '') %}
        cast(null as timestamp) as as_of,
        {%- else %}
        cast('{{ as_of }}' as timestamp) as as_of,
        {%- endif %}
        {{ graphlets.ms_to_timestamp('pipeline_rollup.first_activity_at_ms') }}
            as first_activity_at,
        {{ graphlets.ms_to_timestamp('pipeline_rollup.last_activity_at_ms') }}
            as last_activity_at,
        (pipeline_rollup.last_activity_at_ms - pipeline_rollup.first_activity_at_ms)
        / 86400000e0 as window_days,
        pipeline_rollup.pipeline_count,
        coalesce(pipeline_rollup.run_count, 0) as run_count,
        cost_rollup.execution_count,
        graphlet_rollup.graphlet_count,
        graphlet_rollup.models_trained,
        graphlet_rollup.pushed_graphlet_count,
        graphlet_rollup.pending_graphlet_count,
        graphlet_rollup.failed_training_count,
        cast(
            graphlet_rollup.graphlet_count - graphlet_rollup.pending_graphlet_count
            - graphlet_rollup.pushed_graphlet_count as double
        )
        / nullif(graphlet_rollup.graphlet_count - graphlet_rollup.pending_graphlet_count, 0)
            as no_push_share,
        cast(graphlet_rollup.warm_started_graphlet_count as double)
        / nullif(graphlet_rollup.graphlet_count, 0) as warm_start_share,
        graphlet_rollup.truncated_graphlet_count,
        cost_rollup.orphan_execution_count,
        cast(cost_rollup.cached_execution_count as double)
        / nullif(cost_rollup.execution_count, 0) as cache_hit_rate,
        pipeline_rollup.median_lifespan_days,
        pipeline_rollup.median_trainings_per_week,
        cost_rollup.total_cost,
        cost_rollup.productive_cost,
        cost_rollup.pending_cost,
        cost_rollup.wasted_cost,
        cost_rollup.wasted_cost
        / nullif(cost_rollup.total_cost - cost_rollup.pending_cost, 0) as waste_share,
        quarantine_rollup.quarantined_row_count
    from pipeline_rollup
    cross join graphlet_rollup
    cross join cost_rollup
    cross join quarantine_rollup
)

select * from final
