{#- Every operator category with its pipeline order and decision phase, from the one
    definition in `macros/graph/operator_categories.sql`. -#}
with

final as (
    {%- for row in graphlets.operator_categories() %}
    select
        '{{ row.category }}' as category,
        {{ loop.index }} as category_order,
        '{{ row.decision_phase }}' as decision_phase
    {{ 'union all' if not loop.last }}
    {%- endfor %}
)

select * from final
