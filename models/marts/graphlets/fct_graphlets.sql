{#- One row per graphlet: the work behind one trained model (spec section 2). -#}
{%- set categories = graphlets.operator_category_list() -%}
with

trainers as (
    select * from {{ ref('int_graphlet_trainers') }}
),

members as (
    select * from {{ ref('int_graphlet_members') }}
),

executions as (
    select * from {{ ref('int_executions_enriched') }}
),

spans as (
    select * from {{ ref('int_graphlet_spans') }}
),

outcomes as (
    select * from {{ ref('int_graphlet_outcomes') }}
),

truncated as (
    select * from {{ ref('int_graphlets_truncated') }}
),

external_inputs as (
    select * from {{ ref('fct_graphlet_external_inputs') }}
),

trainer_outputs as (
    select * from {{ ref('int_events_keyed') }}
    where event_direction = 'output'
),

artifacts as (
    select * from {{ ref('int_artifacts_produced') }}
),

graphlets_per_execution as (
    select mlmd_id as execution_id, count(*) as graphlet_count
    from members
    where node_kind = 'execution'
    group by mlmd_id
),

member_executions as (
    select
        members.graphlet_id,
        executions.category,
        executions.ended_at_ms,
        executions.cost,
        executions.cost / graphlets_per_execution.graphlet_count as allocated_cost
    from members
    inner join executions on members.mlmd_id = executions.execution_id
    inner join graphlets_per_execution
        on members.mlmd_id = graphlets_per_execution.execution_id
    where members.node_kind = 'execution'
),

execution_rollup as (
    select
        graphlet_id,
        count(*) as execution_count,
        {%- for category in categories %}
        count(*) filter (where category = '{{ category }}') as {{ category }}_execution_count,
        {%- endfor %}
        max(ended_at_ms) filter (
            where category in ('ingestion', 'data_analysis', 'data_validation')
        ) as decided_at_ms,
        max(ended_at_ms) as finished_at_ms,
        sum(cost) as cost,
        sum(allocated_cost) as allocated_cost
    from member_executions
    group by graphlet_id
),

node_rollup as (
    select
        graphlet_id,
        count(*) filter (where node_kind = 'artifact') as artifact_count,
        max(max_depth) as depth
    from members
    group by graphlet_id
),

models as (
    select
        trainer_outputs.execution_id as graphlet_id,
        min(trainer_outputs.artifact_id) as model_artifact_id
    from trainer_outputs
    inner join artifacts on trainer_outputs.artifact_id = artifacts.artifact_id
    where artifacts.artifact_type = 'Model'
    group by trainer_outputs.execution_id
),

external_rollup as (
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
        trainers.execution_id as graphlet_id,
        trainers.execution_id as trainer_execution_id,
        trainers.pipeline_name,
        trainers.run_name,
        trainers.execution_type as trainer_type,
        trainers.state as trainer_state,
        models.model_artifact_id,
        outcomes.outcome,
        {{ graphlets.ms_to_timestamp('trainers.started_at_ms') }} as trained_at,
        {{ graphlets.ms_to_timestamp('execution_rollup.decided_at_ms') }} as decided_at,
        {{ graphlets.ms_to_timestamp('execution_rollup.finished_at_ms') }} as finished_at,
        {{ graphlets.ms_to_timestamp('outcomes.pushed_at_ms') }} as pushed_at,
        trainers.started_at_ms as trained_at_ms,
        execution_rollup.decided_at_ms,
        execution_rollup.finished_at_ms,
        outcomes.pushed_at_ms,
        execution_rollup.execution_count,
        node_rollup.artifact_count,
        {%- for category in categories %}
        execution_rollup.{{ category }}_execution_count,
        {%- endfor %}
        node_rollup.depth,
        spans.span_count,
        spans.min_span,
        spans.max_span,
        spans.spans,
        spans.new_span_count,
        spans.span_overlap,
        spans.previous_graphlet_id,
        coalesce(external_rollup.is_warm_started, false) as is_warm_started,
        coalesce(external_rollup.external_input_count, 0) as external_input_count,
        execution_rollup.cost,
        execution_rollup.allocated_cost,
        truncated.graphlet_id is not null as is_truncated
    from trainers
    inner join execution_rollup on trainers.execution_id = execution_rollup.graphlet_id
    inner join node_rollup on trainers.execution_id = node_rollup.graphlet_id
    inner join outcomes on trainers.execution_id = outcomes.graphlet_id
    inner join spans on trainers.execution_id = spans.graphlet_id
    left join models on trainers.execution_id = models.graphlet_id
    left join external_rollup on trainers.execution_id = external_rollup.graphlet_id
    left join truncated on trainers.execution_id = truncated.graphlet_id
)

select * from final
