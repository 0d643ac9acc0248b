{#- Prunable cost of every graphlet (spec section 4): the cost of its member executions
    in the categories that run after the decision point (transform, tuning, training,
    model_analysis, model_validation, deployment, inference) that belong to no other
    graphlet. Shared work stays: skipping this graphlet would not have saved it. -#}
{%- set prunable_categories = [
    'transform', 'tuning', 'training', 'model_analysis',
    'model_validation', 'deployment', 'inference'
] -%}
with

members as (
    select * from {{ ref('int_graphlet_members') }}
    where node_kind = 'execution'
),

executions as (
    select * from {{ ref('int_executions_enriched') }}
),

trainers as (
    select * from {{ ref('int_graphlet_trainers') }}
),

count_graphlets_per_execution as (
    select mlmd_id as execution_id, count(distinct graphlet_id) as graphlet_count
    from members
    group by mlmd_id
),

classify_members as (
    select
        members.graphlet_id,
        executions.cost,
        executions.category in (
            {%- for category in prunable_categories %}
            '{{ category }}'{{ ',' if not loop.last }}
            {%- endfor %}
        ) as is_after_decision,
        count_graphlets_per_execution.graphlet_count = 1 as is_exclusive
    from members
    inner join executions on members.mlmd_id = executions.execution_id
    inner join count_graphlets_per_execution
        on members.mlmd_id = count_graphlets_per_execution.execution_id
),

sum_per_graphlet as (
    select
        graphlet_id,
        count(*) filter (where is_after_decision and is_exclusive) as prunable_execution_count,
        coalesce(sum(cost) filter (where is_after_decision and is_exclusive), 0)
            as prunable_cost,
        coalesce(sum(cost) filter (where is_after_decision), 0) as after_decision_cost
    from classify_members
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
