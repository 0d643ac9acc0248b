{#- The data spans each graphlet reads: the `span` of the upstream Examples that
    ingestion produced; and how they compare with the pipeline's previous graphlet
    (the one before it by start time, then id). -#}
with

members as (
    select * from {{ ref('int_graphlet_members') }}
    where role = 'upstream' and node_kind = 'artifact'
),

artifacts as (
    select * from {{ ref('int_artifacts_produced') }}
    where artifact_type = 'Examples' and producer_category = 'ingestion'
),

spans as (
    select * from {{ ref('int_artifact_properties_resolved') }}
    where property_name = 'span' and value_type = 'int'
),

trainers as (
    select * from {{ ref('int_graphlet_trainers') }}
),

spans_read as (
    select distinct
        members.graphlet_id,
        spans.int_value as span
    from members
    inner join artifacts on members.mlmd_id = artifacts.artifact_id
    inner join spans on members.mlmd_id = spans.artifact_id
),

ordered_graphlets as (
    select
        execution_id as graphlet_id,
        lag(execution_id) over (
            partition by pipeline_name order by started_at_ms, execution_id
        ) as previous_graphlet_id
    from trainers
),

spans_shared_with_previous as (
    select
        ordered_graphlets.graphlet_id,
        count(*) as shared_span_count
    from ordered_graphlets
    inner join spans_read as current_spans
        on ordered_graphlets.graphlet_id = current_spans.graphlet_id
    inner join spans_read as previous_spans
        on ordered_graphlets.previous_graphlet_id = previous_spans.graphlet_id
        and current_spans.span = previous_spans.span
    group by ordered_graphlets.graphlet_id
),

span_lists as (
    select
        graphlet_id,
        count(*) as span_count,
        min(span) as min_span,
        max(span) as max_span,
        {{ graphlets.ordered_list('span', 'span') }} as spans
    from spans_read
    group by graphlet_id
),

final as (
    select
        ordered_graphlets.graphlet_id,
        ordered_graphlets.previous_graphlet_id,
        coalesce(span_lists.span_count, 0) as span_count,
        span_lists.min_span,
        span_lists.max_span,
        span_lists.spans,
        coalesce(span_lists.span_count, 0) - coalesce(shared.shared_span_count, 0)
            as new_span_count,
        case
            when ordered_graphlets.previous_graphlet_id is not null
                and span_lists.span_count > 0
                then cast(coalesce(shared.shared_span_count, 0) as double) / span_lists.span_count
        end as span_overlap
    from ordered_graphlets
    left join span_lists on ordered_graphlets.graphlet_id = span_lists.graphlet_id
    left join spans_shared_with_previous as shared
        on ordered_graphlets.graphlet_id = shared.graphlet_id
)

select * from final
