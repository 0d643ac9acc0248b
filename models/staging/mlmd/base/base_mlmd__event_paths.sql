with

source as (
    select * from {{ source('mlmd', 'EventPath') }}
),

events as (
    select event_id, is_after_as_of
    from {{ ref('base_mlmd__events') }}
    where quarantine_reason is null
),

renamed as (
    select
        event_id,
        is_index_step = 1 as is_index_step,
        step_index,
        step_key,
        -- EventPath has no order column: the file's row order is the step order.
        file_row_number as source_row_number
    from source
),

checked as (
    select
        renamed.*,
        events.event_id is not null as has_known_event,
        coalesce(events.is_after_as_of, false) as is_after_as_of
    from renamed
    left join events on renamed.event_id = events.event_id
),

final as (
    select
        *,
        {{ graphlets.first_reason([
            ('not has_known_event', 'path step of a missing event'),
            ('is_index_step and step_index is null', 'index step without an index'),
            ("not is_index_step and coalesce(step_key, '') = ''", 'key step without a key'),
        ]) }} as quarantine_reason
    from checked
)

select * from final
