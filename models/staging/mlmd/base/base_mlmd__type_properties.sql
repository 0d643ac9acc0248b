with

source as (
    select * from {{ source('mlmd', 'TypeProperty') }}
),

duplicates as (
    {{ graphlets.later_duplicate_rows('source', ['type_id', 'name']) }}
),

types as (
    select type_id from {{ ref('base_mlmd__types') }}
    where quarantine_reason is null
),

renamed as (
    select
        type_id,
        name as property_name,
        data_type as data_type_code,
        {{ graphlets.decode_property_data_type('data_type') }} as data_type,
        file_row_number as source_row_number
    from source
),

checked as (
    select
        renamed.*,
        duplicates.file_row_number is not null as is_duplicate,
        types.type_id is not null as has_known_type
    from renamed
    left join duplicates on renamed.source_row_number = duplicates.file_row_number
    left join types on renamed.type_id = types.type_id
),

final as (
    select
        *,
        {{ graphlets.first_reason([
            ('not has_known_type', 'unknown type_id'),
            ('is_duplicate', 'duplicate property'),
            ("coalesce(property_name, '') = ''", 'property has no name'),
        ]) }} as quarantine_reason,
        false as is_after_as_of
    from checked
)

select * from final
