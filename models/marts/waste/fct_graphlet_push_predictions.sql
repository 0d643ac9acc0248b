{#- The predicted chance that each graphlet pushes (definitions §4): the dbt Python
    model int_graphlet_push_predictions, which the pruning backtest reads. -#}
with

predictions as (
    select * from {{ ref('int_graphlet_push_predictions') }}
),

final as (
    select * from predictions
)

select * from final
