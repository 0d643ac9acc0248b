with

source as (
    select * from {{ source('mlmd', 'ParentType') }}
),

duplicates as (
    {{ graphlets.later_duplicate_rows('source', ['type_id', 'parent_type_id']) }}
),

types as (
    select type_id from {{ ref('base_mlmd__types') }} where quarantine_reason is null
),

renamed as (
    select
        type_id,
        parent_type_id,
        file_row_number as source_row_number
    from source
),

checked as (
    select
        renamed.*,
        duplicates.file_row_number is not null as is_duplicate,
        child.type_id is not null as has_known_child,
        parent.type_id is not null as has_known_parent
    from renamed
    left join duplicates on renamed.source_row_number = duplicates.file_row_number
    left join types as child on renamed.type_id = child.type_id
    left join types as parent on renamed.parent_type_id = parent.type_id
),

final as (
    select
        *,
        {{ graphlets.first_reason([
            ('not has_known_child', 'unknown type_id'),
            ('not has_known_parent', 'unknown parent_type_id'),
            ('is_duplicate', 'duplicate row'),
        ]) }} as quarantine_reason,
        false as is_after_as_of
    from checked
)

select * from final
