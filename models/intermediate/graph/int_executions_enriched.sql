{#- One row per execution with everything the graph needs: type, category,
    pipeline, run, cache key, times and cost. -#}
with

executions as (
    select * from {{ ref('stg_mlmd__executions') }}
),

types as (
    select * from {{ ref('int_execution_types_categorized') }}
),

locations as (
    select * from {{ ref('int_executions_located') }}
),

costs as (
    select * from {{ ref('int_executions_costed') }}
),

final as (
    select
        executions.execution_id,
        locations.pipeline_name,
        locations.pipeline_source,
        locations.run_context_id,
        locations.run_name,
        locations.node_name,
        locations.cache_context_id,
        locations.cache_key,
        types.execution_type,
        types.execution_class_name,
        types.category,
        executions.state,
        types.category = 'training' and executions.state <> 'CACHED' as is_graphlet_trainer,
        costs.started_at_ms,
        costs.ended_at_ms,
        costs.cost,
        costs.cost_source
    from executions
    inner join types on executions.execution_type_id = types.execution_type_id
    inner join locations on executions.execution_id = locations.execution_id
    inner join costs on executions.execution_id = costs.execution_id
)

select * from final
