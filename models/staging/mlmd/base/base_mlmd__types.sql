with

source as (
    select * from {{ source('mlmd', 'Type') }}
),

duplicates as (
    {{ graphlets.later_duplicate_rows('source', ['id'], source('mlmd', 'Type')) }}
),

renamed as (
    select
        id as type_id,
        name as type_name,
        version as type_version,
        type_kind as type_kind_code,
        {{ graphlets.decode_type_kind('type_kind') }} as type_kind,
        description as type_description,
        external_id,
        file_row_number as source_row_number
    from source
),

checked as (
    select
        renamed.*,
        duplicates.file_row_number is not null as is_duplicate
    from renamed
    left join duplicates on renamed.source_row_number = duplicates.file_row_number
),

final as (
    select
        *,
        {{ graphlets.first_reason([
            ('type_id is null', 'missing id'),
            ('is_duplicate', 'duplicate id'),
            ("coalesce(trim(type_name), '') = ''", 'type has no name'),
            ('type_kind is null', 'unknown type kind'),
        ]) }} as quarantine_reason,
        false as is_after_as_of
    from checked
)

select * from final
