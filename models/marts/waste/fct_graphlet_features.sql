{#- The pruning features, one row per graphlet (definitions §4): built in
    int_graphlet_features, which the predictor reads. -#}
with

features as (
    select * from {{ ref('int_graphlet_features') }}
),

final as (
    select * from features
)

select * from final
