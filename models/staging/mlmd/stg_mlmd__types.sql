with

base as (
    select * from {{ ref('base_mlmd__types') }}
    where quarantine_reason is null
),

final as (
    select
        type_id,
        type_name,
        -- Categories match on the class name at the end of a dotted path.
        regexp_extract(type_name, '([^.]*)$', 1) as type_class_name,
        type_version,
        type_kind,
        type_description,
        external_id
    from base
)

select * from final
