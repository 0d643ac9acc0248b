{#- Cache savings (definitions §3): each CACHED execution with the cost its original
    paid: the producer of the artifacts it re-emitted (TFX hands on the newest successful
    execution's outputs, which after a recomputation is not the first under the key);
    for a hit with no outputs, the first COMPLETE execution under the same cache key. -#}
with

executions as (
    select * from {{ ref('int_executions_enriched') }}
),

cached as (
    select * from executions
    where state = 'CACHED'
),

originals_by_cache_key as (
    select
        cache_context_id,
        execution_id,
        row_number() over (
            partition by cache_context_id order by started_at_ms, execution_id
        ) as computation_order
    from executions
    where state = 'COMPLETE' and cache_context_id is not null
),

reemitted_producers as (
    select
        outputs.execution_id as cached_execution_id,
        min(artifacts.producer_execution_id) as original_execution_id
    from {{ ref('int_events_keyed') }} as outputs
    inner join {{ ref('int_artifacts_produced') }} as artifacts
        on outputs.artifact_id = artifacts.artifact_id
    where outputs.event_direction = 'output'
    group by outputs.execution_id
),

matched as (
    select
        cached.execution_id,
        cached.pipeline_name,
        cached.execution_type,
        cached.category,
        coalesce(reemitted_producers.original_execution_id, originals_by_cache_key.execution_id)
            as original_execution_id
    from cached
    left join originals_by_cache_key
        on cached.cache_context_id = originals_by_cache_key.cache_context_id
        and originals_by_cache_key.computation_order = 1
    left join reemitted_producers
        on cached.execution_id = reemitted_producers.cached_execution_id
),

final as (
    select
        matched.execution_id,
        matched.original_execution_id,
        matched.pipeline_name,
        matched.execution_type,
        matched.category,
        coalesce(originals.cost, 0) as saved_cost
    from matched
    left join executions as originals on matched.original_execution_id = originals.execution_id
)

select * from final
