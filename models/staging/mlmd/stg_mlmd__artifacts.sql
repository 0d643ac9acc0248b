with

base as (
    select * from {{ ref('base_mlmd__artifacts') }}
    where quarantine_reason is null and not is_after_as_of
),

final as (
    select
        artifact_id,
        artifact_type_id,
        uri,
        artifact_name,
        external_id,
        state,
        created_at_ms,
        {{ graphlets.clamp_to_as_of('updated_at_ms') }} as updated_at_ms,
        {{ graphlets.ms_to_timestamp('created_at_ms') }} as created_at,
        {{ graphlets.ms_to_timestamp(graphlets.clamp_to_as_of('updated_at_ms')) }} as updated_at
    from base
)

select * from final
