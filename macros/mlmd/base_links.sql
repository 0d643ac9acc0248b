{#- The base model of an MLMD link table (Association, Attribution, ParentContext):
    both ends must exist, and neither the link nor (where the table has one) its id may
    repeat an earlier row; a link exists from the later of its two ends. -#}
{% macro base_mlmd_links(source_table, left, right, left_model, right_model, has_id=true) %}
with

source as (
    select * from {{ source('mlmd', source_table) }}
),

duplicates as (
    {{ graphlets.later_duplicate_rows('source', [left[0], right[0]]) }}
),
{%- if has_id %}

duplicate_ids as (
    {{ graphlets.later_duplicate_rows('source', ['id'], source('mlmd', source_table)) }}
),
{%- endif %}

left_nodes as (
    select {{ left_model.split('__')[1][:-1] }}_id as node_id, is_after_as_of
    from {{ ref(left_model) }}
    where quarantine_reason is null
),

right_nodes as (
    select {{ right_model.split('__')[1][:-1] }}_id as node_id, is_after_as_of
    from {{ ref(right_model) }}
    where quarantine_reason is null
),

renamed as (
    select
        {%- if has_id %}
        id as {{ source_table | lower }}_id,
        {%- endif %}
        {{ left[0] }} as {{ left[1] }},
        {{ right[0] }} as {{ right[1] }},
        file_row_number as source_row_number
    from source
),

checked as (
    select
        renamed.*,
        duplicates.file_row_number is not null as is_duplicate,
        {%- if has_id %}
        duplicate_ids.file_row_number is not null as is_duplicate_id,
        {%- endif %}
        left_nodes.node_id is not null as has_known_left,
        right_nodes.node_id is not null as has_known_right,
        coalesce(left_nodes.is_after_as_of or right_nodes.is_after_as_of, false)
            as is_after_as_of
    from renamed
    left join duplicates on renamed.source_row_number = duplicates.file_row_number
    {%- if has_id %}
    left join duplicate_ids on renamed.source_row_number = duplicate_ids.file_row_number
    {%- endif %}
    left join left_nodes on renamed.{{ left[1] }} = left_nodes.node_id
    left join right_nodes on renamed.{{ right[1] }} = right_nodes.node_id
),

final as (
    select
        *,
        {{ graphlets.first_reason([
            ('not has_known_left', 'link to a missing ' ~ left[1]),
            ('not has_known_right', 'link to a missing ' ~ right[1]),
            ('is_duplicate', 'duplicate link'),
            ('is_duplicate_id', 'duplicate id') if has_id else none,
        ]) }} as quarantine_reason
    from checked
)

select * from final
{% endmacro %}
