with

source as (
    select * from {{ source('mlmd', 'MLMDEnv') }}
),

final as (
    select
        schema_version,
        file_row_number as source_row_number,
        {{ graphlets.first_reason([('schema_version is null', 'missing schema version')]) }}
            as quarantine_reason,
        false as is_after_as_of
    from source
)

select * from final
