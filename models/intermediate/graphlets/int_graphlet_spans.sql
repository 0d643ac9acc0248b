{#- The data spans each graphlet reads, and how they compare with the pipeline's
    previous graphlet (the one before it by start time, then id). -#}
with

spans_read as (
    select * from {{ ref('int_graphlet_spans_read') }}
),

trainers as (
    select * from {{ ref('int_graphlet_trainers') }}
),

ordered_graphlets as (
    select
        execution_id as graphlet_id,
        previous_graphlet_id
    from trainers
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

{#- Compare whole span lists, graphlet to graphlet: a join on the span value itself
    would pair spans across every pipeline before the graphlet keys narrow it. -#}
spans_compared_with_previous as (
    select
        ordered_graphlets.graphlet_id,
        ordered_graphlets.previous_graphlet_id,
        current_spans.span_count,
        current_spans.min_span,
        current_spans.max_span,
        current_spans.spans,
        {{ graphlets.array_overlap_count('current_spans.spans', 'previous_spans.spans') }}
            as shared_span_count
    from ordered_graphlets
    left join span_lists as current_spans
        on ordered_graphlets.graphlet_id = current_spans.graphlet_id
    left join span_lists as previous_spans
        on ordered_graphlets.previous_graphlet_id = previous_spans.graphlet_id
),

final as (
    select
        graphlet_id,
        previous_graphlet_id,
        coalesce(span_count, 0) as span_count,
        min_span,
        max_span,
        spans,
        coalesce(span_count, 0) - coalesce(shared_span_count, 0) as new_span_count,
        case
            when previous_graphlet_id is not null and span_count > 0
                then cast(coalesce(shared_span_count, 0) as double) / span_count
        end as span_overlap
    from spans_compared_with_previous
)

select * from final
