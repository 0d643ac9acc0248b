{#- One row per pipeline: when it was active, how often it trained and pushed, what it
    cost and wasted, and its model type and feature count where the store records them
    (definitions §5). -#}
{%- set model_type_properties = var('model_type_properties') -%}
{%- set feature_count_properties = var('feature_count_properties') -%}
{%- set read_properties = model_type_properties + feature_count_properties -%}
with

executions as (
    select * from {{ ref('fct_executions') }}
),

graphlets as (
    select * from {{ ref('fct_graphlets') }}
),

members as (
    select * from {{ ref('fct_graphlet_members') }}
),

waste_by_pipeline as (
    select * from {{ ref('rpt_waste_breakdown') }}
    where breakdown = 'pipeline'
),

{#- Only the properties read below: the graphlets' artifacts carry tens of millions of
    other property rows at the study's scale. -#}
execution_properties as (
    select * from {{ ref('int_execution_properties_resolved') }}
    where property_name in ({{ graphlets.string_literals(read_properties) }})
),

artifact_properties as (
    select * from {{ ref('int_artifact_properties_resolved') }}
    where property_name in ({{ graphlets.string_literals(read_properties) }})
),

activity as (
    select
        pipeline_name,
        min(started_at_ms) as first_activity_at_ms,
        max(coalesce(ended_at_ms, started_at_ms)) as last_activity_at_ms,
        count(distinct {{ graphlets.ms_to_date('started_at_ms') }}) as active_days,
        count(distinct run_name) as run_count,
        count(*) as execution_count
    from executions
    group by pipeline_name
),

training as (
    select
        pipeline_name,
        count(*) as graphlet_count,
        count(model_artifact_id) as models_trained,
        count(*) filter (where outcome = 'pushed') as push_count,
        count(*) filter (where outcome = 'pending') as pending_graphlet_count,
        count(*) filter (where outcome = 'training_failed') as failed_training_count
    from graphlets
    group by pipeline_name
),

{#- Properties recorded on a graphlet's trainer or on any artifact in the graphlet. -#}
graphlet_properties as (
    select
        graphlets.graphlet_id,
        execution_properties.property_name,
        execution_properties.display_value,
        execution_properties.number_value
    from graphlets
    inner join execution_properties
        on graphlets.trainer_execution_id = execution_properties.execution_id
    union all
    select
        members.graphlet_id,
        artifact_properties.property_name,
        artifact_properties.display_value,
        artifact_properties.number_value
    from members
    inner join artifact_properties on members.mlmd_id = artifact_properties.artifact_id
    where members.node_kind = 'artifact'
),

recorded as (
    select
        graphlets.pipeline_name,
        graphlets.graphlet_id,
        graphlets.trained_at_ms,
        max(graphlet_properties.display_value) filter (
            where graphlet_properties.property_name in (
                {{- graphlets.string_literals(model_type_properties) -}}
            )
        ) as model_type,
        max(graphlet_properties.number_value) filter (
            where graphlet_properties.property_name in (
                {{- graphlets.string_literals(feature_count_properties) -}}
            )
        ) as feature_count
    from graphlets
    inner join graphlet_properties on graphlets.graphlet_id = graphlet_properties.graphlet_id
    group by graphlets.pipeline_name, graphlets.graphlet_id, graphlets.trained_at_ms
),

{#- The latest graphlet (by start, then id) that records each, per pipeline. -#}
latest_model_type as (
    select
        pipeline_name,
        model_type,
        row_number() over (
            partition by pipeline_name order by trained_at_ms desc, graphlet_id desc
        ) as recency
    from recorded
    where model_type is not null
),

latest_feature_count as (
    select
        pipeline_name,
        feature_count,
        row_number() over (
            partition by pipeline_name order by trained_at_ms desc, graphlet_id desc
        ) as recency
    from recorded
    where feature_count is not null
),

model_type_variety as (
    select pipeline_name, count(distinct model_type) as model_type_count
    from recorded
    group by pipeline_name
),

final as (
    select
        activity.pipeline_name,
        {{ graphlets.ms_to_timestamp('activity.first_activity_at_ms') }} as first_activity_at,
        {{ graphlets.ms_to_timestamp('activity.last_activity_at_ms') }} as last_activity_at,
        activity.first_activity_at_ms,
        activity.last_activity_at_ms,
        (activity.last_activity_at_ms - activity.first_activity_at_ms) / 86400000e0
            as lifespan_days,
        activity.active_days,
        activity.run_count,
        activity.execution_count,
        coalesce(training.graphlet_count, 0) as graphlet_count,
        coalesce(training.models_trained, 0) as models_trained,
        coalesce(training.graphlet_count, 0) * 7e0 / greatest(
            (activity.last_activity_at_ms - activity.first_activity_at_ms) / 86400000e0, 7e0
        ) as trainings_per_week,
        coalesce(training.push_count, 0) as push_count,
        coalesce(training.pending_graphlet_count, 0) as pending_graphlet_count,
        coalesce(training.failed_training_count, 0) as failed_training_count,
        cast(training.push_count as double)
        / nullif(training.graphlet_count - training.pending_graphlet_count, 0) as push_rate,
        waste_by_pipeline.total_cost,
        waste_by_pipeline.wasted_cost,
        waste_by_pipeline.waste_share,
        latest_model_type.model_type,
        coalesce(model_type_variety.model_type_count, 0) as model_type_count,
        cast(latest_feature_count.feature_count as bigint) as feature_count
    from activity
    left join training on activity.pipeline_name = training.pipeline_name
    left join waste_by_pipeline
        on activity.pipeline_name = waste_by_pipeline.breakdown_value
    left join latest_model_type
        on activity.pipeline_name = latest_model_type.pipeline_name
        and latest_model_type.recency = 1
    left join latest_feature_count
        on activity.pipeline_name = latest_feature_count.pipeline_name
        and latest_feature_count.recency = 1
    left join model_type_variety on activity.pipeline_name = model_type_variety.pipeline_name
)

select * from final
