{#- Prunable cost of every graphlet (definitions §4): the cost of its member executions
    in the `prunable` decision phase (the categories that run after the decision point)
    that belong to no other graphlet. Shared work stays: skipping this graphlet would
    not have saved it. -#}
with

member_executions as (
    select * from {{ ref('int_graphlet_member_executions') }}
    where decision_phase = 'prunable'
),

trainers as (
    select * from {{ ref('int_graphlet_trainers') }}
),

sum_per_graphlet as (
    select
        graphlet_id,
        count(*) filter (where is_exclusive) as prunable_execution_count,
        coalesce(sum(cost) filter (where is_exclusive), 0) as prunable_cost,
        coalesce(sum(cost), 0) as after_decision_cost
    from member_executions
    group by graphlet_id
),

final as (
    select
        trainers.execution_id as graphlet_id,
        coalesce(sum_per_graphlet.prunable_execution_count, 0) as prunable_execution_count,
        coalesce(sum_per_graphlet.prunable_cost, 0) as prunable_cost,
        coalesce(sum_per_graphlet.after_decision_cost, 0) as after_decision_cost
    from trainers
    left join sum_per_graphlet on trainers.execution_id = sum_per_graphlet.graphlet_id
)

select * from final
