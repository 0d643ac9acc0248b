{#- For every graphlet, what its pipeline's history looked like at its decision point:
    only graphlets of the same pipeline whose `finished_at` is earlier than this one's
    `decided_at` count (definitions §4). A graphlet still running then, or one that
    started earlier but finished later, is unknown at the decision and left out; so is
    everything about this graphlet after its data-side work.

    O(n log n), not a pairwise join: per pipeline, the finished graphlets in order of
    (finished_at, graphlet_id) carry running figures (counts, pushes among the last 5,
    latest push, ...). What a decision knows is a prefix of that order: the first N
    finishes, N being the finishes strictly before the decision (a decision at the same
    instant as a finish comes first in the event order, so it does not see it). Each
    decision then reads the figures of the finish at position N (an equi-join).

    A graphlet never knows itself. It can only finish before its own decision when that
    decision falls back to its trainer's start and the trainer has not ended; such a
    graphlet gets a stream of its own: its pipeline's finishes before its decision, itself
    left out (rare, so that copy stays small). -#}
with

pushes as (
    select * from {{ ref('int_graphlet_pushes') }}
),

data_side as (
    select * from {{ ref('int_graphlet_data_side') }}
),

read_spans as (
    select * from {{ ref('int_graphlet_spans_read') }}
),

finished as (
    select * from pushes
    where pipeline_name is not null and finished_at_ms is not null
),

deciding as (
    select
        *,
        -- the graphlet's own stream when it finished before its own decision
        case when finished_at_ms < decision_at_ms then graphlet_id end as own_stream_graphlet_id
    from pushes
    where pipeline_name is not null and decision_at_ms is not null
),

list_finish_events as (
    select
        pipeline_name,
        cast(null as bigint) as own_stream_graphlet_id,
        graphlet_id,
        finished_at_ms,
        is_pushed,
        outcome = 'training_failed' as is_training_failed,
        pushed_at_ms
    from finished
    union all
    select
        deciding.pipeline_name,
        deciding.own_stream_graphlet_id,
        known.graphlet_id,
        known.finished_at_ms,
        known.is_pushed,
        known.outcome = 'training_failed' as is_training_failed,
        known.pushed_at_ms
    from deciding
    inner join finished as known
        on deciding.pipeline_name = known.pipeline_name
        and deciding.decision_at_ms > known.finished_at_ms
        and deciding.graphlet_id <> known.graphlet_id
    where deciding.own_stream_graphlet_id is not null
),

count_finishes_through_peers as (
    select
        *,
        row_number() over (
            partition by pipeline_name, own_stream_graphlet_id
            order by finished_at_ms, graphlet_id
        ) as known_position,
        count(*) over (
            partition by pipeline_name, own_stream_graphlet_id
            order by finished_at_ms
            range between unbounded preceding and current row
        ) as finished_through_peers
    from list_finish_events
),

accumulate_finishes as (
    select
        pipeline_name,
        own_stream_graphlet_id,
        known_position,
        graphlet_id as last_known_graphlet_id,
        is_pushed as last_known_is_pushed,
        is_training_failed as last_known_is_training_failed,
        finished_at_ms as last_known_finished_at_ms,
        sum(case when is_pushed then 1 else 0 end) over running as known_push_count,
        sum(case when is_training_failed then 1 else 0 end) over running
            as known_training_failed_count,
        sum(case when is_pushed then 1 else 0 end) over (
            partition by pipeline_name, own_stream_graphlet_id
            order by known_position
            rows between 4 preceding and current row
        ) as recent_push_count,
        -- finishes up to and including the latest pushed one's instant
        max(case when is_pushed then finished_through_peers end) over running
            as finished_through_last_push,
        max(pushed_at_ms) over running as last_pushed_at_ms
    from count_finishes_through_peers
    window running as (
        partition by pipeline_name, own_stream_graphlet_id
        order by known_position
        rows between unbounded preceding and current row
    )
),

list_events as (
    select
        pipeline_name,
        own_stream_graphlet_id,
        graphlet_id,
        finished_at_ms as event_at_ms,
        1 as is_finish
    from list_finish_events
    union all
    select
        pipeline_name,
        own_stream_graphlet_id,
        graphlet_id,
        decision_at_ms as event_at_ms,
        0 as is_finish
    from deciding
),

count_known as (
    select
        pipeline_name,
        own_stream_graphlet_id,
        graphlet_id,
        is_finish,
        sum(is_finish) over (
            partition by pipeline_name, own_stream_graphlet_id
            order by event_at_ms, is_finish, graphlet_id
            rows between unbounded preceding and current row
        ) as known_graphlet_count
    from list_events
),

summarise_known as (
    select
        count_known.graphlet_id,
        count_known.known_graphlet_count,
        accumulate_finishes.known_push_count,
        accumulate_finishes.known_training_failed_count,
        least(count_known.known_graphlet_count, 5) as recent_graphlet_count,
        accumulate_finishes.recent_push_count,
        count_known.known_graphlet_count
        - coalesce(accumulate_finishes.finished_through_last_push, 0) as not_pushed_streak,
        accumulate_finishes.last_known_graphlet_id,
        accumulate_finishes.last_known_is_pushed,
        accumulate_finishes.last_known_is_training_failed,
        accumulate_finishes.last_known_finished_at_ms,
        accumulate_finishes.last_pushed_at_ms
    from count_known
    inner join accumulate_finishes
        on count_known.pipeline_name = accumulate_finishes.pipeline_name
        and count_known.own_stream_graphlet_id
        is not distinct from accumulate_finishes.own_stream_graphlet_id
        and count_known.known_graphlet_count = accumulate_finishes.known_position
    where count_known.is_finish = 0
),

list_spans_of_last_known as (
    select
        summarise_known.graphlet_id,
        read_spans.span
    from summarise_known
    inner join read_spans on summarise_known.last_known_graphlet_id = read_spans.graphlet_id
),

{#- A span is seen when some other graphlet of the pipeline read it and finished before
    the decision; the earliest-finishing other reader tells, and it is the first or, when
    the first is the graphlet itself, the second reader in finish order. -#}
rank_span_readers as (
    select
        finished.pipeline_name || '|' || read_spans.span as pipeline_span,
        read_spans.graphlet_id,
        finished.finished_at_ms,
        row_number() over (
            partition by finished.pipeline_name, read_spans.span
            order by finished.finished_at_ms, read_spans.graphlet_id
        ) as reader_rank
    from read_spans
    inner join finished on read_spans.graphlet_id = finished.graphlet_id
),

{#- One key for (pipeline, span): joined on the span alone, the planner may pair every
    pipeline's span 3 with every other's before the pipeline narrows it. -#}
list_spans_to_check as (
    select
        deciding.graphlet_id,
        deciding.decision_at_ms,
        read_spans.span,
        deciding.pipeline_name || '|' || read_spans.span as pipeline_span
    from deciding
    inner join read_spans on deciding.graphlet_id = read_spans.graphlet_id
),

list_spans_of_any_known as (
    select distinct
        spans_to_check.graphlet_id,
        spans_to_check.span
    from list_spans_to_check as spans_to_check
    inner join rank_span_readers as first_readers
        on spans_to_check.pipeline_span = first_readers.pipeline_span
        and first_readers.reader_rank <= 2
        and spans_to_check.graphlet_id <> first_readers.graphlet_id
        and spans_to_check.decision_at_ms > first_readers.finished_at_ms
),

count_spans_seen as (
    select
        own.graphlet_id,
        count(*) as span_count,
        count(*) filter (where last_known.span is null) as new_span_count,
        count(*) filter (where any_known.span is null) as unseen_span_count
    from read_spans as own
    left join list_spans_of_last_known as last_known
        on own.graphlet_id = last_known.graphlet_id and own.span = last_known.span
    left join list_spans_of_any_known as any_known
        on own.graphlet_id = any_known.graphlet_id and own.span = any_known.span
    group by own.graphlet_id
),

final as (
    select
        pushes.graphlet_id,
        pushes.pipeline_name,
        pushes.decision_at_ms,
        cast(coalesce(summarise_known.known_graphlet_count, 0) as bigint) as known_graphlet_count,
        cast(coalesce(summarise_known.known_push_count, 0) as bigint) as known_push_count,
        cast(coalesce(summarise_known.known_training_failed_count, 0) as bigint)
            as known_training_failed_count,
        cast(coalesce(summarise_known.recent_graphlet_count, 0) as bigint)
            as recent_graphlet_count,
        cast(coalesce(summarise_known.recent_push_count, 0) as bigint) as recent_push_count,
        cast(coalesce(summarise_known.not_pushed_streak, 0) as bigint) as not_pushed_streak,
        summarise_known.last_known_graphlet_id,
        summarise_known.last_known_is_pushed,
        summarise_known.last_known_is_training_failed,
        summarise_known.last_known_finished_at_ms,
        summarise_known.last_pushed_at_ms,
        coalesce(count_spans_seen.span_count, 0) as span_count,
        coalesce(count_spans_seen.new_span_count, 0) as new_span_count,
        coalesce(count_spans_seen.unseen_span_count, 0) as unseen_span_count,
        case
            when summarise_known.last_known_graphlet_id is not null
                then data_side.data_structure <> last_data_side.data_structure
        end as is_data_structure_changed
    from pushes
    inner join data_side on pushes.graphlet_id = data_side.graphlet_id
    left join summarise_known on pushes.graphlet_id = summarise_known.graphlet_id
    left join data_side as last_data_side
        on summarise_known.last_known_graphlet_id = last_data_side.graphlet_id
    left join count_spans_seen on pushes.graphlet_id = count_spans_seen.graphlet_id
)

select * from final
