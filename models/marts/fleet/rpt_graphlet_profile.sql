{#- Graphlets (definitions §5) as distributions a BI tool can draw: quantiles
    (p00..p100, linear interpolation) of numeric attributes, and shares of graphlets or
    of member work for categorical ones. -#}
with

graphlets as (
    select * from {{ ref('fct_graphlets') }}
),

members as (
    select * from {{ ref('fct_graphlet_members') }}
),

executions as (
    select * from {{ ref('fct_executions') }}
),

cadence as (
    select * from {{ ref('fct_training_cadence') }}
),

pushes as (
    select graphlet_id, event_at_ms as pushed_at_ms
    from cadence
    where cadence_kind = 'push'
),

{#- One row per (metric, observation). -#}
metric_values as (
    select
        'node_count' as metric,
        cast(execution_count + artifact_count as double) as metric_value
    from graphlets
    union all
    select
        'execution_count' as metric,
        cast(execution_count as double) as metric_value
    from graphlets
    union all
    select
        'artifact_count' as metric,
        cast(artifact_count as double) as metric_value
    from graphlets
    union all
    select
        'depth' as metric,
        cast(depth as double) as metric_value
    from graphlets
    union all
    select
        'span_count' as metric,
        cast(span_count as double) as metric_value
    from graphlets
    union all
    select
        'new_span_count' as metric,
        cast(new_span_count as double) as metric_value
    from graphlets
    union all
    select
        'span_overlap' as metric,
        cast(span_overlap as double) as metric_value
    from graphlets
    union all
    select
        'cost' as metric,
        cast(cost as double) as metric_value
    from graphlets
    union all
    select
        'hours_decision_to_push' as metric,
        (pushes.pushed_at_ms - graphlets.decided_at_ms) / 3600000e0 as metric_value
    from graphlets
    inner join pushes on graphlets.graphlet_id = pushes.graphlet_id
),

quantiles as (
    {{ graphlets.distribution_rows('metric_values') }}
),

graphlet_total as (
    select count(*) as graphlet_count from graphlets
),

outcome_shares as (
    select
        'outcome' as metric,
        graphlets.outcome as bucket,
        count(*) as observation_count,
        cast(count(*) as double) / min(graphlet_total.graphlet_count) as metric_value
    from graphlets
    cross join graphlet_total
    group by graphlets.outcome
),

warm_start_shares as (
    select
        'warm_start' as metric,
        case when graphlets.is_warm_started then 'warm_started' else 'cold_started' end
            as bucket,
        count(*) as observation_count,
        cast(count(*) as double) / min(graphlet_total.graphlet_count) as metric_value
    from graphlets
    cross join graphlet_total
    group by graphlets.is_warm_started
),

{#- Category mix: member executions by category, each membership counted. -#}
category_mix as (
    select
        'category_mix' as metric,
        category as bucket,
        count(*) as observation_count,
        cast(count(*) as double) / sum(count(*)) over () as metric_value
    from members
    where node_kind = 'execution'
    group by category
),

{#- Cost share: the cost of executions in at least one graphlet, each counted once. -#}
graphlet_executions as (
    select distinct executions.execution_id, executions.category, executions.cost
    from members
    inner join executions on members.mlmd_id = executions.execution_id
    where members.node_kind = 'execution'
),

category_cost_shares as (
    select
        'category_cost_share' as metric,
        category as bucket,
        count(*) as observation_count,
        sum(cost) / nullif(sum(sum(cost)) over (), 0) as metric_value
    from graphlet_executions
    group by category
),

shares as (
    select * from outcome_shares
    union all
    select * from warm_start_shares
    union all
    select * from category_mix
    union all
    select * from category_cost_shares
),

final as (
    select
        metric,
        'quantile' as distribution_kind,
        bucket,
        cast(quantile as double) as quantile,
        cast(metric_value as double) as metric_value,
        observation_count,
        cast(mean_value as double) as mean_value
    from quantiles
    union all
    select
        metric,
        'share' as distribution_kind,
        bucket,
        cast(null as double) as quantile,
        cast(metric_value as double) as metric_value,
        observation_count,
        cast(null as double) as mean_value
    from shares
)

select * from final
