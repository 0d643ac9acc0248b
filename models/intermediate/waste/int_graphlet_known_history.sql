{#- For every graphlet, what its pipeline's history looked like at its decision point:
    only graphlets of the same pipeline whose `finished_at` is earlier than this one's
    `decided_at` count (spec section 4). A graphlet still running then, or one that
    started earlier but finished later, is unknown at the decision and left out; so is
    everything about this graphlet after its data-side work. -#}
with

pushes as (
    select * from {{ ref('int_graphlet_pushes') }}
),

data_side as (
    select * from {{ ref('int_graphlet_data_side') }}
),

members as (
    select * from {{ ref('int_graphlet_members') }}
    where role = 'upstream' and node_kind = 'artifact'
),

artifacts as (
    select * from {{ ref('int_artifacts_produced') }}
    where artifact_type = 'Examples' and producer_category = 'ingestion'
),

span_properties as (
    select * from {{ ref('int_artifact_properties_resolved') }}
    where property_name = 'span' and value_type = 'int'
),

read_spans as (
    select distinct
        members.graphlet_id,
        span_properties.int_value as span
    from members
    inner join artifacts on members.mlmd_id = artifacts.artifact_id
    inner join span_properties on members.mlmd_id = span_properties.artifact_id
),

pair_with_known_graphlets as (
    select
        current_graphlet.graphlet_id,
        current_graphlet.decision_at_ms,
        known.graphlet_id as known_graphlet_id,
        known.is_pushed,
        known.outcome = 'training_failed' as is_training_failed,
        known.finished_at_ms,
        known.pushed_at_ms,
        row_number() over (
            partition by current_graphlet.graphlet_id
            order by known.finished_at_ms desc, known.graphlet_id desc
        ) as recency
    from pushes as current_graphlet
    inner join pushes as known
        on current_graphlet.pipeline_name = known.pipeline_name
        and known.finished_at_ms < current_graphlet.decision_at_ms
        and known.graphlet_id <> current_graphlet.graphlet_id
),

find_last_push as (
    select
        graphlet_id,
        max(finished_at_ms) filter (where is_pushed) as last_pushed_finished_at_ms,
        max(pushed_at_ms) as last_pushed_at_ms
    from pair_with_known_graphlets
    group by graphlet_id
),

summarise_known as (
    select
        pair_with_known_graphlets.graphlet_id,
        count(*) as known_graphlet_count,
        count(*) filter (where is_pushed) as known_push_count,
        count(*) filter (where is_training_failed) as known_training_failed_count,
        count(*) filter (where recency <= 5) as recent_graphlet_count,
        count(*) filter (where recency <= 5 and is_pushed) as recent_push_count,
        count(*) filter (
            where pair_with_known_graphlets.finished_at_ms
                > coalesce(find_last_push.last_pushed_finished_at_ms, -1)
        ) as not_pushed_streak,
        max(known_graphlet_id) filter (where recency = 1) as last_known_graphlet_id,
        bool_or(is_pushed) filter (where recency = 1) as last_known_is_pushed,
        bool_or(is_training_failed) filter (where recency = 1) as last_known_is_training_failed,
        max(pair_with_known_graphlets.finished_at_ms) as last_known_finished_at_ms,
        max(find_last_push.last_pushed_at_ms) as last_pushed_at_ms
    from pair_with_known_graphlets
    inner join find_last_push
        on pair_with_known_graphlets.graphlet_id = find_last_push.graphlet_id
    group by pair_with_known_graphlets.graphlet_id
),

list_spans_of_last_known as (
    select
        summarise_known.graphlet_id,
        read_spans.span
    from summarise_known
    inner join read_spans on summarise_known.last_known_graphlet_id = read_spans.graphlet_id
),

list_spans_of_any_known as (
    select distinct
        pair_with_known_graphlets.graphlet_id,
        read_spans.span
    from pair_with_known_graphlets
    inner join read_spans
        on pair_with_known_graphlets.known_graphlet_id = read_spans.graphlet_id
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
        coalesce(summarise_known.known_graphlet_count, 0) as known_graphlet_count,
        coalesce(summarise_known.known_push_count, 0) as known_push_count,
        coalesce(summarise_known.known_training_failed_count, 0)
            as known_training_failed_count,
        coalesce(summarise_known.recent_graphlet_count, 0) as recent_graphlet_count,
        coalesce(summarise_known.recent_push_count, 0) as recent_push_count,
        coalesce(summarise_known.not_pushed_streak, 0) as not_pushed_streak,
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
