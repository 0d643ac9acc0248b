{#- One row per (graphlet, node): which work belongs to which trained model. -#}
with

members as (
    select * from {{ ref('int_graphlet_members') }}
),

member_executions as (
    select * from {{ ref('int_graphlet_member_executions') }}
),

final as (
    select
        members.graphlet_id,
        members.node_kind || ':' || members.mlmd_id as node_id,
        members.node_kind,
        members.mlmd_id,
        members.member_role,
        member_executions.category,
        members.min_depth as depth
    from members
    left join member_executions
        on members.graphlet_id = member_executions.graphlet_id
        and members.node_kind = 'execution'
        and members.mlmd_id = member_executions.execution_id
)

select * from final
