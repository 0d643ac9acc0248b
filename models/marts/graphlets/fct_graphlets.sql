{#- One row per graphlet: the work behind one trained model (definitions §2). -#}
{%- set categories = graphlets.operator_category_list() -%}
with

trainers as (
    select * from {{ ref('int_graphlet_trainers') }}
),

rollups as (
    select * from {{ ref('int_graphlet_rollups') }}
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

final as (
    select
        trainers.execution_id as graphlet_id,
        trainers.execution_id as trainer_execution_id,
        trainers.pipeline_name,
        trainers.run_name,
        trainers.execution_type as trainer_type,
        trainers.state as trainer_state,
        rollups.model_artifact_id,
        outcomes.outcome,
        {{ graphlets.ms_to_timestamp('trainers.started_at_ms') }} as trained_at,
        {{ graphlets.ms_to_timestamp('rollups.decided_at_ms') }} as decided_at,
        {{ graphlets.ms_to_timestamp('rollups.finished_at_ms') }} as finished_at,
        {{ graphlets.ms_to_timestamp('outcomes.pushed_at_ms') }} as pushed_at,
        trainers.started_at_ms as trained_at_ms,
        rollups.decided_at_ms,
        rollups.finished_at_ms,
        outcomes.pushed_at_ms,
        rollups.execution_count,
        rollups.artifact_count,
        {%- for category in categories %}
        rollups.{{ category }}_execution_count,
        {%- endfor %}
        rollups.depth,
        spans.span_count,
        spans.min_span,
        spans.max_span,
        spans.spans,
        spans.new_span_count,
        spans.span_overlap,
        spans.previous_graphlet_id,
        rollups.is_warm_started,
        rollups.external_input_count,
        rollups.cost,
        rollups.allocated_cost,
        truncated.graphlet_id is not null as is_truncated
    from trainers
    inner join rollups on trainers.execution_id = rollups.graphlet_id
    inner join outcomes on trainers.execution_id = outcomes.graphlet_id
    inner join spans on trainers.execution_id = spans.graphlet_id
    left join truncated on trainers.execution_id = truncated.graphlet_id
)

select * from final
