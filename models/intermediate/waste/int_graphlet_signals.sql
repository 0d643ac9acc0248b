{#- The cause signals of every graphlet (definitions §3), each true, false or null
    (cannot tell). These describe what happened and may use the whole graphlet; the
    pruning features (`int_graphlet_features`) are the decision-time subset.
    - data drift: its data-side artifacts record a numeric drift figure above the var
      `drift_score_threshold` (default 0.1) or a nonzero anomaly count; null when the
      store records no such figure for it;
    - structure change: the multiset of its member execution types differs from the
      pipeline's previous graphlet's (by start time, then id); null for the first;
    - code or configuration change: its trainer's properties (cost properties and names
      starting with `__` left out) differ from the previous graphlet's trainer's;
    - no new data: `new_span_count = 0`;
    - time since the pipeline's last push: from the last push of another graphlet that
      happened strictly before this graphlet's decision point, bucketed. -#}
with

trainers as (
    select * from {{ ref('int_graphlet_trainers') }}
),

spans as (
    select * from {{ ref('int_graphlet_spans') }}
),

pushes as (
    select * from {{ ref('int_graphlet_pushes') }}
),

data_side as (
    select * from {{ ref('int_graphlet_data_side') }}
),

member_executions as (
    select * from {{ ref('int_graphlet_member_executions') }}
),

trainer_properties as (
    select * from {{ ref('int_execution_properties_resolved') }}
    where {{ graphlets.is_configuration_property('property_name') }}
),

-- Structures compare as multisets of short type numbers: sorting millions of long
-- type names per graphlet cost more than numbering the few distinct names once.
list_member_type_names as (
    select distinct execution_type
    from member_executions
    where execution_type is not null
),

number_member_types as (
    select
        execution_type,
        row_number() over (order by execution_type) as type_number
    from list_member_type_names
),

list_member_types as (
    select
        member_executions.graphlet_id,
        {{ graphlets.sorted_string_agg('cast(number_member_types.type_number as string)') }}
            as structure
    from member_executions
    left join number_member_types
        on member_executions.execution_type = number_member_types.execution_type
    group by member_executions.graphlet_id
),

list_trainer_configuration as (
    select
        trainers.execution_id as graphlet_id,
        coalesce(
            {{ graphlets.sorted_string_agg(
                "trainer_properties.property_name || '=' || coalesce(trainer_properties.display_value, '')"
            ) }},
            ''
        ) as trainer_configuration
    from trainers
    left join trainer_properties
        on trainers.execution_id = trainer_properties.execution_id
    group by trainers.execution_id
),

-- The pipeline's last push before each decision point, in one pass over a timeline
-- instead of pairing every graphlet with every earlier one: decisions sort before
-- pushes of the same instant (a push counts only when strictly earlier), and the
-- running max at a decision row is the latest push before it.
timeline_pushes as (
    select
        pipeline_name,
        pushed_at_ms as happened_at_ms,
        1 as event_order,
        pushed_at_ms,
        cast(null as bigint) as graphlet_id
    from pushes
    where pipeline_name is not null and pushed_at_ms is not null
),

timeline_decisions as (
    select
        pipeline_name,
        decision_at_ms as happened_at_ms,
        0 as event_order,
        cast(null as bigint) as pushed_at_ms,
        graphlet_id
    from pushes
    where pipeline_name is not null and decision_at_ms is not null
),

timeline as (
    select * from timeline_pushes
    union all
    select * from timeline_decisions
),

-- (push rows carry no graphlet_id, so the join below keeps the decision rows)
find_latest_push as (
    select
        graphlet_id,
        max(pushed_at_ms) over (
            partition by pipeline_name
            order by happened_at_ms, event_order
            rows between unbounded preceding and current row
        ) as latest_pushed_at_ms
    from timeline
),

-- A graphlet never counts its own push, which can land before its decision point.
-- When its own push is that latest push, the last push is the latest other push at
-- or before it: one at the same instant, else the previous one.
find_push_before_own as (
    select
        graphlet_id,
        case
            when count(*) over (partition by pipeline_name, pushed_at_ms) > 1
                then pushed_at_ms
            else lag(pushed_at_ms) over (partition by pipeline_name order by pushed_at_ms)
        end as other_pushed_at_ms
    from pushes
    where pipeline_name is not null and pushed_at_ms is not null
),

find_last_push as (
    select
        pushes.graphlet_id,
        case
            when pushes.pushed_at_ms = find_latest_push.latest_pushed_at_ms
                then find_push_before_own.other_pushed_at_ms
            else find_latest_push.latest_pushed_at_ms
        end as last_pushed_at_ms
    from pushes
    inner join find_latest_push on pushes.graphlet_id = find_latest_push.graphlet_id
    left join find_push_before_own on pushes.graphlet_id = find_push_before_own.graphlet_id
),

compare_with_previous as (
    select
        pushes.graphlet_id,
        pushes.pipeline_name,
        pushes.outcome,
        trainers.previous_graphlet_id,
        data_side.is_drifted,
        case
            when trainers.previous_graphlet_id is not null
                then own_types.structure <> previous_types.structure
        end as is_structure_changed,
        case
            when trainers.previous_graphlet_id is not null
                then own_configuration.trainer_configuration
                    <> previous_configuration.trainer_configuration
        end as is_code_changed,
        spans.new_span_count = 0 as is_no_new_data,
        (pushes.decision_at_ms - find_last_push.last_pushed_at_ms) / 3600000e0
            as hours_since_last_push
    from pushes
    inner join trainers on pushes.graphlet_id = trainers.execution_id
    inner join spans on pushes.graphlet_id = spans.graphlet_id
    inner join data_side on pushes.graphlet_id = data_side.graphlet_id
    left join list_member_types as own_types
        on pushes.graphlet_id = own_types.graphlet_id
    left join list_member_types as previous_types
        on trainers.previous_graphlet_id = previous_types.graphlet_id
    left join list_trainer_configuration as own_configuration
        on pushes.graphlet_id = own_configuration.graphlet_id
    left join list_trainer_configuration as previous_configuration
        on trainers.previous_graphlet_id = previous_configuration.graphlet_id
    left join find_last_push on pushes.graphlet_id = find_last_push.graphlet_id
),

final as (
    select
        *,
        case
            when hours_since_last_push is null then 'no_earlier_push'
            when hours_since_last_push < 24 then 'under_1_day'
            when hours_since_last_push < 24 * 7 then '1_to_7_days'
            when hours_since_last_push < 24 * 30 then '7_to_30_days'
            else 'over_30_days'
        end as time_since_last_push_bucket
    from compare_with_previous
)

select * from final
