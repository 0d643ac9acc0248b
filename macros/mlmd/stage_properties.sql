{#- The staging model of one property table: valid rows, the value decoded and
    typed. Struct values (`mlmd-struct::` + base64) and proto values (a base64
    google.protobuf.Any) are decoded to bytes, and a proto's type URL is read out
    (decoding the message itself would need its .proto). -#}
{% macro stage_mlmd_properties(owner) %}
with

base as (
    select * from {{ ref('base_mlmd__' ~ owner ~ '_properties') }}
    where quarantine_reason is null and not is_after_as_of
),

decoded as (
    select
        {{ owner }}_id,
        property_name,
        is_custom_property,
        case
            when int_value is not null then 'int'
            when double_value is not null then 'double'
            when bool_value is not null then 'bool'
            when string_value like 'mlmd-struct::%' then 'struct'
            when string_value is not null then 'string'
            when proto_value is not null then 'proto'
            else 'bytes'
        end as value_type,
        int_value,
        double_value,
        bool_value = 1 as bool_value,
        case when string_value not like 'mlmd-struct::%' then string_value end
            as string_value,
        case
            when string_value like 'mlmd-struct::%'
                then {{ graphlets.from_base64('substr(string_value, 14)') }}
        end as struct_value,
        {{ graphlets.from_base64('proto_value') }} as proto_value,
        byte_value
    from base
),

final as (
    select
        *,
        coalesce(double_value, cast(int_value as double), cast(bool_value as double))
            as number_value,
        -- The Any's first field is its type URL, readable in the bytes.
        nullif(
            regexp_extract(cast(proto_value as string), '([A-Za-z0-9.-]+/[A-Za-z0-9_.]+)', 1),
            ''
        ) as proto_type_url
    from decoded
)

select * from final
{% endmacro %}
