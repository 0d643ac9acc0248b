{#- The provenance graph's edges, one per event: input events point artifact ->
    execution, output events execution -> artifact (PENDING_OUTPUT is no edge). -#}
with

events as (
    select * from {{ ref('int_events_keyed') }}
),

artifacts as (
    select artifact_id, producer_execution_id from {{ ref('int_artifacts_produced') }}
),

final as (
    select
        events.event_id,
        case
            when events.event_direction = 'input' then 'artifact:' || events.artifact_id
            else 'execution:' || events.execution_id
        end as from_node_id,
        case
            when events.event_direction = 'input' then 'execution:' || events.execution_id
            else 'artifact:' || events.artifact_id
        end as to_node_id,
        events.artifact_id,
        events.execution_id,
        events.event_type,
        events.event_direction,
        events.event_keys,
        events.is_boundary_input,
        (
            events.event_direction = 'output'
            and artifacts.producer_execution_id is distinct from events.execution_id
        ) as is_reemission
    from events
    inner join artifacts on events.artifact_id = artifacts.artifact_id
)

select * from final
