{#- One row per graphlet with its decision and push instants: `decision_at_ms` is its
    `decided_at` (or, for a graphlet without data-side work, its trainer's start), and
    `pushed_at_ms`, for a pushed graphlet, is when its deployment work ended (the latest
    end of its COMPLETE deployment members; its `finished_at` when it has none). -#}
with

graphlets as (
    select * from {{ ref('fct_graphlets') }}
),

members as (
    select * from {{ ref('int_graphlet_members') }}
    where node_kind = 'execution'
),

executions as (
    select * from {{ ref('int_executions_enriched') }}
    where category = 'deployment' and state = 'COMPLETE'
),

find_deployment_ends as (
    select
        members.graphlet_id,
        max(executions.ended_at_ms) as deployed_at_ms
    from members
    inner join executions on members.mlmd_id = executions.execution_id
    group by members.graphlet_id
),

final as (
    select
        graphlets.graphlet_id,
        graphlets.pipeline_name,
        graphlets.outcome,
        graphlets.outcome = 'pushed' as is_pushed,
        graphlets.trained_at_ms,
        coalesce(graphlets.decided_at_ms, graphlets.trained_at_ms) as decision_at_ms,
        graphlets.finished_at_ms,
        case
            when graphlets.outcome = 'pushed'
                then coalesce(find_deployment_ends.deployed_at_ms, graphlets.finished_at_ms)
        end as pushed_at_ms
    from graphlets
    left join find_deployment_ends
        on graphlets.graphlet_id = find_deployment_ends.graphlet_id
)

select * from final
