{#- One row per graphlet with its decision and push instants: `decision_at_ms` is its
    `decided_at` (or, for a graphlet without data-side work, its trainer's start), and
    `pushed_at_ms`, for a pushed graphlet, its `pushed_at` (its `finished_at` when the
    pushing execution is unknown). -#}
with

graphlets as (
    select * from {{ ref('fct_graphlets') }}
),

final as (
    select
        graphlets.graphlet_id,
        graphlets.pipeline_name,
        graphlets.outcome,
        graphlets.outcome = 'pushed' as is_pushed,
        graphlets.trained_at_ms,
        coalesce(graphlets.decided_at_ms, graphlets.trained_at_ms) as decision_at_ms,
        graphlets.finished_at_ms,
        case
            when graphlets.outcome = 'pushed'
                then coalesce(graphlets.pushed_at_ms, graphlets.finished_at_ms)
        end as pushed_at_ms
    from graphlets
)

select * from final
