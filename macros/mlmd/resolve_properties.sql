{#- One value per (owner, property name): the typed property wins over a custom one
    of the same name (TFX writes `span` both ways). -#}
{% macro resolve_mlmd_properties(owner) %}
with

properties as (
    select * from {{ ref('stg_mlmd__' ~ owner ~ '_properties') }}
),

{#- Base models set aside a second row with the same (owner, name, typed or custom),
    so an owner has at most one typed and one custom value per name: keep every typed
    one, and a custom one only where no typed one exists (an anti-join, cheaper than
    ranking every row). -#}
typed as (
    select * from properties
    where not is_custom_property
),

resolved as (
    select * from typed
    union all
    select * from properties
    where is_custom_property
        and not exists (
            select 1 from typed
            where typed.{{ owner }}_id = properties.{{ owner }}_id
                and typed.property_name = properties.property_name
        )
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
    from resolved
)

select * from final
{% endmacro %}
