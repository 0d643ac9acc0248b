{#- Nodes in no graphlet: data ingested but never trained on, validation after the
    last trainer, runs that failed before any trainer. -#}
with

nodes as (
    select * from {{ ref('dim_nodes') }}
),

members as (
    select distinct node_id from {{ ref('fct_graphlet_members') }}
),

executions as (
    select execution_id, pipeline_name, run_name, cost from {{ ref('int_executions_enriched') }}
),

final as (
    select
        nodes.node_id,
        nodes.node_kind,
        nodes.mlmd_id,
        nodes.node_type,
        nodes.category,
        nodes.state,
        executions.pipeline_name,
        executions.run_name,
        coalesce(executions.cost, 0) as cost,
        nodes.created_at
    from nodes
    left join members on nodes.node_id = members.node_id
    left join executions
        on nodes.node_kind = 'execution' and nodes.mlmd_id = executions.execution_id
    where members.node_id is null
)

select * from final
