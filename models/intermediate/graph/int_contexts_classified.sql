{#- What each context means for the graph: the pipeline, a run of it, a node, or a
    cache key. TFX (IR), KFP v2 and legacy TFX name these types differently. -#}
with

contexts as (
    select * from {{ ref('stg_mlmd__contexts') }}
),

types as (
    select * from {{ ref('stg_mlmd__types') }}
    where type_kind = 'context'
),

final as (
    select
        contexts.context_id,
        contexts.context_name,
        types.type_name as context_type,
        case
            when types.type_name in ('pipeline', 'system.Pipeline') then 'pipeline'
            when types.type_name in ('pipeline_run', 'system.PipelineRun', 'run', 'KfpRun')
                then 'run'
            when types.type_name in ('node', 'component_run') then 'node'
            when types.type_name = 'execution_cache' then 'cache'
            else 'other'
        end as context_role,
        contexts.created_at_ms
    from contexts
    inner join types on contexts.context_type_id = types.type_id
)

select * from final
