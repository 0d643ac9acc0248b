{#- Every push each policy configuration loses: one row per configuration and pruned
    graphlet that pushed (pending graphlets never pushed), with its place in the push
    timeline (int_pruning_push_timeline). A few percent of configuration × push rows:
    the pruning figures start from the unpruned timeline and change it only here. -#}
with

pruned as (
    select * from {{ ref('int_pruning_pruned_graphlets') }}
),

timeline as (
    select * from {{ ref('int_pruning_push_timeline') }}
),

final as (
    select
        pruned.configuration_id,
        timeline.graphlet_id,
        timeline.pipeline_name,
        timeline.period,
        timeline.pushed_at_ms,
        timeline.period_push_position,
        timeline.push_instant_position,
        timeline.instant_push_count,
        timeline.period_push_key,
        timeline.push_instant_key
    from pruned
    inner join timeline on pruned.graphlet_id = timeline.graphlet_id
)

select * from final
