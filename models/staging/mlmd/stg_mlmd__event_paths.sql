with

base as (
    select * from {{ ref('base_mlmd__event_paths') }}
    where quarantine_reason is null and not is_after_as_of
),

{#- One row per event: its path steps folded in order. An artifact that fills two
    inputs of one execution has two (key, index) pairs on the same event. -#}
folded as (
    select
        event_id,
        {{ graphlets.ordered_list('step_key', 'source_row_number', 'not is_index_step') }}
            as event_keys,
        {{ graphlets.ordered_list('step_index', 'source_row_number', 'is_index_step') }}
            as event_indexes,
        count(*) as step_count
    from base
    group by event_id
)

select * from folded
