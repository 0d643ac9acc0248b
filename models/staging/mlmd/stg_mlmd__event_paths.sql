{#- A table, unlike the other staging models: folding paths is worth doing once. -#}
{{ config(materialized='table') }}

with

base as (
    select * from {{ ref('base_mlmd__event_paths') }}
    where quarantine_reason is null and not is_after_as_of
),

{#- One row per event: its path steps folded in order. An artifact that fills two
    inputs of one execution has two (key, index) pairs on the same event. Ordering a
    list per event is the slow part of folding tens of millions of steps, and nearly
    every event has one key step and one index step, so only events with several of
    either order theirs (`fold_in_file_order`); a single step is its own list. -#}
count_steps as (
    select
        event_id,
        count(case when not is_index_step then 1 end) as key_step_count,
        count(case when is_index_step then 1 end) as index_step_count,
        min(case when not is_index_step then step_key end) as only_key,
        min(case when is_index_step then step_index end) as only_index,
        count(*) as step_count
    from base
    group by event_id
),

list_events_with_several_steps as (
    select event_id from count_steps
    where key_step_count > 1 or index_step_count > 1
),

fold_in_file_order as (
    select
        base.event_id,
        {{ graphlets.ordered_list(
            'base.step_key', 'base.source_row_number', 'not base.is_index_step'
        ) }} as event_keys,
        {{ graphlets.ordered_list(
            'base.step_index', 'base.source_row_number', 'base.is_index_step'
        ) }} as event_indexes
    from base
    inner join list_events_with_several_steps
        on base.event_id = list_events_with_several_steps.event_id
    group by base.event_id
),

final as (
    select
        count_steps.event_id,
        case
            when count_steps.key_step_count = 1
                then {{ graphlets.list_of_one('count_steps.only_key') }}
            else fold_in_file_order.event_keys
        end as event_keys,
        case
            when count_steps.index_step_count = 1
                then {{ graphlets.list_of_one('count_steps.only_index') }}
            else fold_in_file_order.event_indexes
        end as event_indexes,
        count_steps.step_count
    from count_steps
    left join fold_in_file_order on count_steps.event_id = fold_in_file_order.event_id
)

select * from final
