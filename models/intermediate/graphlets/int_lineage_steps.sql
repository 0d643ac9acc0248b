{#- The steps a graphlet traversal may take, narrow and keyed by integer node keys.
    Upstream: execution -> input artifact -> its producer (never a re-emitter).
    Downstream: artifact -> consuming execution -> all its outputs.
    Within the boundary (definitions §2): no input event whose keys are all boundary
    keys, no training execution entered (CACHED ones included), and no artifact a
    training execution produced, except the root trainer's own outputs downstream
    (`trainer_producer_id` lets the traversal allow exactly those). -#}
with

events as (
    select * from {{ ref('int_events_keyed') }}
),

artifacts as (
    select * from {{ ref('int_artifacts_produced') }}
),

executions as (
    select * from {{ ref('int_executions_enriched') }}
),

upstream_to_inputs as (
    select
        true as is_upstream,
        {{ graphlets.node_key('execution', 'events.execution_id') }} as from_node_key,
        {{ graphlets.node_key('artifact', 'events.artifact_id') }} as to_node_key,
        cast(null as bigint) as trainer_producer_id
    from events
    inner join artifacts on events.artifact_id = artifacts.artifact_id
    where events.event_direction = 'input'
        and not events.is_boundary_input
        and not artifacts.is_trainer_output
),

upstream_to_producers as (
    select
        true as is_upstream,
        {{ graphlets.node_key('artifact', 'artifact_id') }} as from_node_key,
        {{ graphlets.node_key('execution', 'producer_execution_id') }} as to_node_key,
        cast(null as bigint) as trainer_producer_id
    from artifacts
    where producer_execution_id is not null
        and not is_trainer_output
),

downstream_to_consumers as (
    select
        false as is_upstream,
        {{ graphlets.node_key('artifact', 'events.artifact_id') }} as from_node_key,
        {{ graphlets.node_key('execution', 'events.execution_id') }} as to_node_key,
        cast(null as bigint) as trainer_producer_id
    from events
    inner join executions on events.execution_id = executions.execution_id
    where events.event_direction = 'input'
        and not events.is_boundary_input
        and executions.category <> 'training'
),

downstream_to_outputs as (
    select
        false as is_upstream,
        {{ graphlets.node_key('execution', 'events.execution_id') }} as from_node_key,
        {{ graphlets.node_key('artifact', 'events.artifact_id') }} as to_node_key,
        case when artifacts.is_trainer_output then artifacts.producer_execution_id end
            as trainer_producer_id
    from events
    inner join artifacts on events.artifact_id = artifacts.artifact_id
    where events.event_direction = 'output'
),

unioned as (
    select * from upstream_to_inputs
    union all
    select * from upstream_to_producers
    union all
    select * from downstream_to_consumers
    union all
    select * from downstream_to_outputs
),

final as (
    select distinct * from unioned
)

select * from final
