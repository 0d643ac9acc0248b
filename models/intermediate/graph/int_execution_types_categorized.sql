with

types as (
    select * from {{ ref('stg_mlmd__types') }}
    where type_kind = 'execution'
),

categories as (
    select * from {{ ref('operator_categories') }}
),

matched as (
    select
        types.type_id,
        categories.category,
        row_number() over (
            partition by types.type_id
            -- An exact pattern beats a wildcard; then the longer (more specific) one.
            order by
                (categories.class_name_pattern like '%!%%' escape '!'),
                length(categories.class_name_pattern) desc
        ) as preference
    from types
    inner join categories
        on types.type_class_name like categories.class_name_pattern
),

final as (
    select
        types.type_id as execution_type_id,
        types.type_name as execution_type,
        types.type_class_name as execution_class_name,
        coalesce(matched.category, 'other') as category,
        matched.category is not null as is_mapped
    from types
    left join matched
        on types.type_id = matched.type_id and matched.preference = 1
)

select * from final
