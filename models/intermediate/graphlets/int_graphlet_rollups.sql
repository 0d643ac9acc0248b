{#- One row per graphlet: its members rolled up (executions by category, times, cost,
    artifacts, depth), its model and its external inputs. `decided_at_ms` is the end of
    its data-side work (definitions §2); `fct_graphlets` joins this to the trainer, its
    spans and its outcome. -#}
{%- set categories = graphlets.operator_category_list() -%}
with

member_executions as (
    select * from {{ ref('int_graphlet_member_executions') }}
),

members as (
    select * from {{ ref('int_graphlet_members') }}
),

trainer_outputs as (
    select * from {{ ref('int_events_keyed') }}
    where event_direction = 'output'
),

artifacts as (
    select * from {{ ref('int_artifacts_produced') }}
),

external_inputs as (
    select * from {{ ref('int_graphlet_external_inputs') }}
),

roll_up_executions as (
    select
        graphlet_id,
        count(*) as execution_count,
        {%- for category in categories %}
        count(*) filter (where category = '{{ category }}') as {{ category }}_execution_count,
        {%- endfor %}
        max(ended_at_ms) filter (where decision_phase = 'data_side') as decided_at_ms,
        max(ended_at_ms) as finished_at_ms,
        sum(cost) as cost,
        sum(allocated_cost) as allocated_cost
    from member_executions
    group by graphlet_id
),

roll_up_nodes as (
    select
        graphlet_id,
        count(*) filter (where node_kind = 'artifact') as artifact_count,
        max(max_depth) as depth
    from members
    group by graphlet_id
),

find_models as (
    select
        trainer_outputs.execution_id as graphlet_id,
        min(trainer_outputs.artifact_id) as model_artifact_id
    from trainer_outputs
    inner join artifacts on trainer_outputs.artifact_id = artifacts.artifact_id
    where artifacts.artifact_type = 'Model'
    group by trainer_outputs.execution_id
),

roll_up_external_inputs as (
    select
        graphlet_id,
        count(*) as external_input_count,
        bool_or(
            consumer_execution_id = graphlet_id
            and crossing_reason = 'boundary_key'
            and artifact_type = 'Model'
        ) as is_warm_started
    from external_inputs
    group by graphlet_id
),

final as (
    select
        roll_up_executions.*,
        roll_up_nodes.artifact_count,
        roll_up_nodes.depth,
        find_models.model_artifact_id,
        coalesce(roll_up_external_inputs.external_input_count, 0) as external_input_count,
        coalesce(roll_up_external_inputs.is_warm_started, false) as is_warm_started
    from roll_up_executions
    inner join roll_up_nodes on roll_up_executions.graphlet_id = roll_up_nodes.graphlet_id
    left join find_models on roll_up_executions.graphlet_id = find_models.graphlet_id
    left join roll_up_external_inputs
        on roll_up_executions.graphlet_id = roll_up_external_inputs.graphlet_id
)

select * from final
