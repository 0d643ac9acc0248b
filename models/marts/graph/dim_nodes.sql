{#- The provenance graph's nodes: artifacts and executions in one id space. -#}
with

artifacts as (
    select * from {{ ref('int_artifacts_produced') }}
),

executions as (
    select * from {{ ref('int_executions_enriched') }}
),

unioned as (
    select
        'artifact:' || artifact_id as node_id,
        'artifact' as node_kind,
        artifact_id as mlmd_id,
        artifact_type as node_type,
        cast(null as string) as category,
        artifact_state as state,
        producer_execution_id,
        {{ graphlets.ms_to_timestamp('created_at_ms') }} as created_at
    from artifacts
    union all
    select
        'execution:' || execution_id as node_id,
        'execution' as node_kind,
        execution_id as mlmd_id,
        execution_type as node_type,
        category,
        state,
        cast(null as bigint) as producer_execution_id,
        {{ graphlets.ms_to_timestamp('started_at_ms') }} as created_at
    from executions
)

select * from unioned
