{#- One row per (graphlet, node): which work belongs to which trained model. -#}
with

members as (
    select * from {{ ref('int_graphlet_members') }}
),

executions as (
    select execution_id, category from {{ ref('int_executions_enriched') }}
),

final as (
    select
        members.graphlet_id,
        members.node_kind || ':' || members.mlmd_id as node_id,
        members.node_kind,
        members.mlmd_id,
        members.role,
        executions.category,
        members.min_depth as depth
    from members
    left join executions
        on members.node_kind = 'execution' and members.mlmd_id = executions.execution_id
)

select * from final
