{#- The spine: one row per (graphlet, member execution), with what every graphlet rollup
    needs. `graphlet_count` is how many graphlets share the execution; its cost is split
    equally among them (`allocated_cost`), and it is exclusive when it belongs to this
    graphlet alone. -#}
with

members as (
    select * from {{ ref('int_graphlet_members') }}
    where node_kind = 'execution'
),

executions as (
    select * from {{ ref('int_executions_enriched') }}
),

categories as (
    select * from {{ ref('int_operator_categories') }}
),

join_executions as (
    select
        members.graphlet_id,
        members.mlmd_id as execution_id,
        members.member_role,
        executions.execution_type,
        executions.category,
        categories.decision_phase,
        executions.state,
        executions.started_at_ms,
        executions.ended_at_ms,
        executions.cost,
        count(*) over (partition by members.mlmd_id) as graphlet_count
    from members
    inner join executions on members.mlmd_id = executions.execution_id
    inner join categories on executions.category = categories.category
),

final as (
    select
        *,
        cost / graphlet_count as allocated_cost,
        graphlet_count = 1 as is_exclusive
    from join_executions
)

select * from final
