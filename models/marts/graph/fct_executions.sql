{#- One row per execution: where it ran, what it is, how it ended and what it cost. -#}
with

executions as (
    select * from {{ ref('int_executions_enriched') }}
),

final as (
    select
        execution_id,
        'execution:' || execution_id as node_id,
        pipeline_name,
        pipeline_source,
        run_name,
        node_name,
        cache_key,
        execution_type,
        execution_class_name,
        category,
        state,
        is_graphlet_trainer,
        {{ graphlets.ms_to_timestamp('started_at_ms') }} as started_at,
        {{ graphlets.ms_to_timestamp('ended_at_ms') }} as ended_at,
        started_at_ms,
        ended_at_ms,
        cost,
        cost_source
    from executions
)

select * from final
