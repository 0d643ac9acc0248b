{#- What pruning would have saved and cost (definitions §4), per policy, configuration
    and period: int_pruning_tradeoff, from which the headline's configurations are also
    chosen (int_pruning_chosen_policies). -#}
with

tradeoff as (
    select * from {{ ref('int_pruning_tradeoff') }}
),

final as (
    select * from tradeoff
)

select * from final
