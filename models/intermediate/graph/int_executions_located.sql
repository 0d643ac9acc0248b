{#- The pipeline, run and cache key of every execution. Pipeline: the parent of its
    run context, else its pipeline context, else (stores without contexts) a
    `pipeline_name` property, else the prefix of its node context name, else
    'unknown'. `pipeline_source` says which. -#}
with

executions as (
    select execution_id from {{ ref('stg_mlmd__executions') }}
),

associations as (
    select * from {{ ref('stg_mlmd__associations') }}
),

contexts as (
    select * from {{ ref('int_contexts_classified') }}
),

parent_contexts as (
    select * from {{ ref('stg_mlmd__parent_contexts') }}
),

properties as (
    select * from {{ ref('int_execution_properties_resolved') }}
    where property_name in ('pipeline_name', 'run_id')
),

{#- The first (lowest id) context of each role an execution is associated with, one
    row per execution; names are joined afterwards, on 4 M rows instead of 18 M. -#}
pivot_first_contexts as (
    select
        associations.execution_id,
        min(case when contexts.context_role = 'run' then contexts.context_id end)
            as run_context_id,
        min(case when contexts.context_role = 'pipeline' then contexts.context_id end)
            as pipeline_context_id,
        min(case when contexts.context_role = 'node' then contexts.context_id end)
            as node_context_id,
        min(case when contexts.context_role = 'cache' then contexts.context_id end)
            as cache_context_id
    from associations
    inner join contexts on associations.context_id = contexts.context_id
    group by associations.execution_id
),

run_parents as (
    select
        parent_contexts.child_context_id as run_context_id,
        min(contexts.context_id) as pipeline_context_id
    from parent_contexts
    inner join contexts
        on parent_contexts.parent_context_id = contexts.context_id
        and contexts.context_role = 'pipeline'
    group by parent_contexts.child_context_id
),

pivoted as (
    select
        executions.execution_id,
        first_contexts.run_context_id,
        coalesce(run_parents.pipeline_context_id, first_contexts.pipeline_context_id)
            as pipeline_context_id,
        run_parents.pipeline_context_id is not null as has_run_parent,
        first_contexts.node_context_id,
        first_contexts.cache_context_id
    from executions
    left join pivot_first_contexts as first_contexts
        on executions.execution_id = first_contexts.execution_id
    left join run_parents on first_contexts.run_context_id = run_parents.run_context_id
),

final as (
    select
        pivoted.execution_id,
        coalesce(
            pipeline.context_name,
            pipeline_property.display_value,
            nullif(split_part(node.context_name, '.', 1), ''),
            'unknown'
        ) as pipeline_name,
        case
            when pipeline.context_name is not null and pivoted.has_run_parent then 'run_parent'
            when pipeline.context_name is not null then 'pipeline_context'
            when pipeline_property.display_value is not null then 'property'
            when nullif(split_part(node.context_name, '.', 1), '') is not null
                then 'node_context'
            else 'unknown'
        end as pipeline_source,
        pivoted.run_context_id,
        coalesce(run.context_name, run_property.display_value) as run_name,
        pivoted.node_context_id,
        node.context_name as node_name,
        pivoted.cache_context_id,
        cache_contexts.context_name as cache_key
    from pivoted
    left join contexts as pipeline on pivoted.pipeline_context_id = pipeline.context_id
    left join contexts as run on pivoted.run_context_id = run.context_id
    left join contexts as node on pivoted.node_context_id = node.context_id
    left join contexts as cache_contexts on pivoted.cache_context_id = cache_contexts.context_id
    left join properties as pipeline_property
        on pivoted.execution_id = pipeline_property.execution_id
        and pipeline_property.property_name = 'pipeline_name'
    left join properties as run_property
        on pivoted.execution_id = run_property.execution_id
        and run_property.property_name = 'run_id'
)

select * from final
