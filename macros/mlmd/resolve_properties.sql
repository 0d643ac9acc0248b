{#- One value per (owner, property name): the typed property wins over a custom one
    of the same name (TFX writes `span` both ways). -#}
{% macro resolve_mlmd_properties(owner) %}
with

properties as (
    select * from {{ ref('stg_mlmd__' ~ owner ~ '_properties') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by {{ owner }}_id, property_name order by is_custom_property
        ) as preference
    from properties
),

final as (
    select
        {{ owner }}_id,
        property_name,
        is_custom_property,
        value_type,
        int_value,
        double_value,
        string_value,
        bool_value,
        number_value,
        coalesce(
            string_value, cast(int_value as string), cast(double_value as string),
            cast(bool_value as string), proto_type_url
        ) as display_value
    from ranked
    where preference = 1
)

select * from final
{% endmacro %}
