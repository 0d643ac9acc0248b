{#- The base model of one MLMD property table (EAV): the value decoded, and the row
    checked (its owner exists, exactly one value column is set, then `extra_checks`:
    (condition, reason) pairs of this table's own). -#}
{% macro base_mlmd_properties(source_table, owner, extra_checks=[]) %}
with

source as (
    select * from {{ source('mlmd', source_table) }}
),

duplicates as (
    {{ graphlets.later_duplicate_rows(
        'source', [owner ~ '_id', 'name', 'is_custom_property'], source('mlmd', source_table)) }}
),

owners as (
    select {{ owner }}_id, is_after_as_of
    from {{ ref('base_mlmd__' ~ owner ~ 's') }}
    where quarantine_reason is null
),

renamed as (
    select
        {{ owner }}_id,
        name as property_name,
        is_custom_property = 1 as is_custom_property,
        int_value,
        double_value,
        string_value,
        byte_value,
        proto_value,
        bool_value,
        (int_value is not null)::int + (double_value is not null)::int
            + (string_value is not null)::int + (byte_value is not null)::int
            + (proto_value is not null)::int + (bool_value is not null)::int as value_count,
        file_row_number as source_row_number
    from source
),

checked as (
    select
        renamed.*,
        duplicates.file_row_number is not null as is_duplicate,
        owners.{{ owner }}_id is not null as has_known_owner,
        coalesce(owners.is_after_as_of, false) as is_after_as_of
    from renamed
    left join duplicates on renamed.source_row_number = duplicates.file_row_number
    left join owners on renamed.{{ owner }}_id = owners.{{ owner }}_id
),

final as (
    select
        *,
        {{ graphlets.first_reason([
            ('not has_known_owner', 'property of a missing ' ~ owner),
            ("coalesce(property_name, '') = ''", 'property has no name'),
            ('value_count = 0', 'no value column set'),
            ('value_count > 1', 'several value columns set'),
            ('is_duplicate', 'duplicate property'),
        ] + extra_checks) }} as quarantine_reason
    from checked
)

select * from final
{% endmacro %}
