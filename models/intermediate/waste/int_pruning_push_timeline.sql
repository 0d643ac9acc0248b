{#- Every push of the fleet in order, one row per pushed graphlet, with what the
    pruning figures need to rebuild any policy's timeline from the unpruned one:
    - its position among its pipeline's pushes in its period (the graphlet's decision
      period; by push instant, then graphlet id) and the gap in hours since the push
      before it there: what the push-gap percentiles read;
    - its push instant's position among the pipeline's distinct push instants (over
      both periods) and how many pushes landed at that instant: what the deployed
      model reads (a pruned push changes the deployed model only when every push at
      its instant is pruned).
    Each position also has a fleet-wide integer key (`period_push_key`,
    `push_instant_key`), consecutive within a pipeline (and period), so the models
    that rebuild a configuration's timeline join on integers, not on names. -#}
with

predictions as (
    select * from {{ ref('int_graphlet_push_predictions') }}
    where is_pushed
),

final as (
    select
        graphlet_id,
        pipeline_name,
        period,
        pushed_at_ms,
        cast(row_number() over (
            partition by pipeline_name, period order by pushed_at_ms, graphlet_id
        ) as bigint) as period_push_position,
        (pushed_at_ms - lag(pushed_at_ms) over (
            partition by pipeline_name, period order by pushed_at_ms, graphlet_id
        )) / 3600000e0 as gap_hours,
        cast(dense_rank() over (
            partition by pipeline_name order by pushed_at_ms
        ) as bigint) as push_instant_position,
        cast(count(*) over (partition by pipeline_name, pushed_at_ms) as bigint)
            as instant_push_count,
        cast(row_number() over (
            order by pipeline_name, period, pushed_at_ms, graphlet_id
        ) as bigint) as period_push_key,
        cast(dense_rank() over (order by pipeline_name, pushed_at_ms) as bigint)
            as push_instant_key
    from predictions
)

select * from final
