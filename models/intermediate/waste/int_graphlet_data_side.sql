{#- What each graphlet's own data-side work looked like (the `data_side` decision
    phase's categories; side branches included): every such member finished
    by the graphlet's `decided_at`, so all of it is known at the decision point.
    `data_structure` is the sorted set of their distinct execution types.
    Drift and anomaly figures are the numeric properties (int or double) of the
    artifacts those members produced whose name contains `drift` or `anomal`. -#}
{%- set drift_threshold = var('drift_score_threshold') -%}
with

member_artifacts as (
    select * from {{ ref('int_graphlet_members') }}
    where node_kind = 'artifact'
),

data_executions as (
    select * from {{ ref('int_graphlet_member_executions') }}
    where decision_phase = 'data_side'
),

artifacts as (
    select * from {{ ref('int_artifacts_produced') }}
    where producer_category in ({{ graphlets.categories_in_phase('data_side') }})
),

artifact_properties as (
    select * from {{ ref('int_artifact_properties_resolved') }}
    where value_type in ('int', 'double')
),

trainers as (
    select * from {{ ref('int_graphlet_trainers') }}
),

select_data_artifacts as (
    select
        member_artifacts.graphlet_id,
        artifacts.artifact_id,
        artifacts.artifact_type,
        artifacts.producer_category
    from member_artifacts
    inner join artifacts on member_artifacts.mlmd_id = artifacts.artifact_id
),

classify_figures as (
    select
        select_data_artifacts.graphlet_id,
        lower(artifact_properties.property_name) like '%drift%' as is_drift,
        lower(artifact_properties.property_name) like '%anomal%' as is_anomaly,
        artifact_properties.number_value
    from select_data_artifacts
    inner join artifact_properties
        on select_data_artifacts.artifact_id = artifact_properties.artifact_id
),

summarise_figures as (
    select
        graphlet_id,
        count(*) filter (where is_drift or is_anomaly) as drift_figure_count,
        max(number_value) filter (where is_drift) as max_drift_score,
        sum(number_value) filter (where is_anomaly) as anomaly_count
    from classify_figures
    group by graphlet_id
),

summarise_executions as (
    select
        graphlet_id,
        count(*) as data_execution_count,
        count(*) filter (where state = 'CACHED') as data_cached_execution_count,
        count(*) filter (where state in ('FAILED', 'CANCELED')) as data_failed_execution_count,
        sum(cost) as data_cost
    from data_executions
    group by graphlet_id
),

list_data_types as (
    select
        graphlet_id,
        {{ graphlets.sorted_string_agg('execution_type') }} as data_structure
    from (select distinct graphlet_id, execution_type from data_executions) as distinct_types
    group by graphlet_id
),

summarise_artifacts as (
    select
        graphlet_id,
        count(*) as data_artifact_count
    from select_data_artifacts
    group by graphlet_id
),

final as (
    select
        trainers.execution_id as graphlet_id,
        coalesce(summarise_executions.data_execution_count, 0) as data_execution_count,
        coalesce(summarise_executions.data_cached_execution_count, 0)
            as data_cached_execution_count,
        coalesce(summarise_executions.data_failed_execution_count, 0)
            as data_failed_execution_count,
        coalesce(summarise_executions.data_cost, 0) as data_cost,
        coalesce(summarise_artifacts.data_artifact_count, 0) as data_artifact_count,
        coalesce(list_data_types.data_structure, '') as data_structure,
        coalesce(summarise_figures.drift_figure_count, 0) as drift_figure_count,
        summarise_figures.max_drift_score,
        summarise_figures.anomaly_count,
        case
            when coalesce(summarise_figures.drift_figure_count, 0) = 0 then null
            else coalesce(summarise_figures.max_drift_score > {{ drift_threshold }}, false)
                or coalesce(summarise_figures.anomaly_count > 0, false)
        end as is_drifted
    from trainers
    left join summarise_executions
        on trainers.execution_id = summarise_executions.graphlet_id
    left join list_data_types on trainers.execution_id = list_data_types.graphlet_id
    left join summarise_artifacts on trainers.execution_id = summarise_artifacts.graphlet_id
    left join summarise_figures on trainers.execution_id = summarise_figures.graphlet_id
)

select * from final
