{#- One row per graphlet with its decision and push instants: `decision_at_ms` is its
    `decided_at` (or, for a graphlet without data-side work, its trainer's start), and
    `pushed_at_ms`, for a pushed graphlet, its `pushed_at` (its `finished_at` when the
    pushing execution is unknown). -#}
with

trainers as (
    select * from {{ ref('int_graphlet_trainers') }}
),

rollups as (
    select * from {{ ref('int_graphlet_rollups') }}
),

outcomes as (
    select * from {{ ref('int_graphlet_outcomes') }}
),

final as (
    select
        trainers.execution_id as graphlet_id,
        trainers.pipeline_name,
        outcomes.outcome,
        outcomes.outcome = 'pushed' as is_pushed,
        trainers.started_at_ms as trained_at_ms,
        coalesce(rollups.decided_at_ms, trainers.started_at_ms) as decision_at_ms,
        rollups.finished_at_ms,
        case
            when outcomes.outcome = 'pushed'
                then coalesce(outcomes.pushed_at_ms, rollups.finished_at_ms)
        end as pushed_at_ms
    from trainers
    inner join rollups on trainers.execution_id = rollups.graphlet_id
    inner join outcomes on trainers.execution_id = outcomes.graphlet_id
)

select * from final
