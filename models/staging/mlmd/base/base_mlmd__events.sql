with

source as (
    select * from {{ source('mlmd', 'Event') }}
),

duplicates as (
    {{ graphlets.later_duplicate_rows('source', ['id'], source('mlmd', 'Event')) }}
),

artifacts as (
    select artifact_id, is_after_as_of
    from {{ ref('base_mlmd__artifacts') }}
    where quarantine_reason is null
),

executions as (
    select execution_id, created_at_ms, is_after_as_of
    from {{ ref('base_mlmd__executions') }}
    where quarantine_reason is null
),

renamed as (
    select
        id as event_id,
        artifact_id,
        execution_id,
        type as event_type_code,
        {{ graphlets.decode_event_type('type') }} as event_type,
        {{ graphlets.decode_event_direction('type') }} as event_direction,
        milliseconds_since_epoch as occurred_at_ms,
        file_row_number as source_row_number
    from source
),

checked as (
    select
        renamed.*,
        duplicates.file_row_number is not null as is_duplicate,
        artifacts.artifact_id is not null as has_known_artifact,
        executions.execution_id is not null as has_known_execution,
        coalesce(
            artifacts.is_after_as_of
            or executions.is_after_as_of
            or {{ graphlets.is_after_as_of('renamed.occurred_at_ms') }},
            false
        ) as is_after_as_of
    from renamed
    left join duplicates on renamed.source_row_number = duplicates.file_row_number
    left join artifacts on renamed.artifact_id = artifacts.artifact_id
    left join executions on renamed.execution_id = executions.execution_id
),

final as (
    select
        *,
        {{ graphlets.first_reason([
            ('event_id is null', 'missing id'),
            ('is_duplicate', 'duplicate id'),
            ("coalesce(event_type, 'UNKNOWN') = 'UNKNOWN'", 'unknown event type'),
            ('not has_known_artifact', 'event points at a missing artifact'),
            ('not has_known_execution', 'event points at a missing execution'),
        ]) }} as quarantine_reason
    from checked
)

select * from final
