{#- The waste ledger (definitions §3), one row per execution: productive when it
    belongs to a graphlet that pushed; pending when not, but to a pending graphlet;
    otherwise wasted (only graphlets that pushed nothing, or orphan work). -#}
with

executions as (
    select * from {{ ref('int_executions_enriched') }}
),

member_executions as (
    select * from {{ ref('int_graphlet_member_executions') }}
),

outcomes as (
    select * from {{ ref('int_graphlet_outcomes') }}
),

memberships as (
    select
        member_executions.execution_id,
        max(member_executions.graphlet_count) as graphlet_count,
        {{ graphlets.ordered_list(
            'member_executions.graphlet_id', 'member_executions.graphlet_id'
        ) }} as graphlet_ids,
        bool_or(outcomes.outcome = 'pushed') as is_in_pushed_graphlet,
        bool_or(outcomes.outcome = 'pending') as is_in_pending_graphlet
    from member_executions
    inner join outcomes on member_executions.graphlet_id = outcomes.graphlet_id
    group by member_executions.execution_id
),

final as (
    select
        executions.execution_id,
        executions.pipeline_name,
        executions.run_name,
        executions.execution_type,
        executions.category,
        executions.state,
        case
            when memberships.is_in_pushed_graphlet then 'productive'
            when memberships.is_in_pending_graphlet then 'pending'
            else 'wasted'
        end as waste_status,
        coalesce(memberships.graphlet_count, 0) as graphlet_count,
        memberships.graphlet_ids,
        memberships.execution_id is null as is_orphan,
        executions.cost,
        executions.cost_source,
        {{ graphlets.ms_to_timestamp('executions.started_at_ms') }} as started_at,
        {{ graphlets.month_of(graphlets.ms_to_timestamp('executions.started_at_ms')) }}
            as started_month
    from executions
    left join memberships on executions.execution_id = memberships.execution_id
)

select * from final
