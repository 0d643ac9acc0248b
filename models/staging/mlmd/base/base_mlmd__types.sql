with

source as (
    select * from {{ source('mlmd', 'Type') }}
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
        file_row_number as source_row_number,
        row_number() over (partition by id order by file_row_number) as id_occurrence
    from source
),

final as (
    select
        *,
        {{ graphlets.first_reason([
            ('type_id is null', 'missing id'),
            ('id_occurrence > 1', 'duplicate id'),
            ("coalesce(trim(type_name), '') = ''", 'type has no name'),
            ('type_kind is null', 'unknown type kind'),
        ]) }} as quarantine_reason,
        false as is_after_as_of
    from renamed
)

select * from final
