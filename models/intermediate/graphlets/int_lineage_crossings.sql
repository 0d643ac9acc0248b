{#- Input events an upstream walk may not follow: every key a boundary key (a warm
    start or evaluation baseline), or an artifact another trainer produced. When the
    consumer is a graphlet's trainer or upstream member, the crossing is one of the
    graphlet's external inputs. -#}
with

events as (
    select * from {{ ref('int_events_keyed') }}
    where event_direction = 'input'
),

artifacts as (
    select * from {{ ref('int_artifacts_produced') }}
),

final as (
    select
        events.execution_id as consumer_execution_id,
        events.artifact_id,
        artifacts.artifact_type,
        events.event_keys,
        case
            when events.is_boundary_input then 'boundary_key'
            else 'trainer_output'
        end as crossing_reason
    from events
    inner join artifacts on events.artifact_id = artifacts.artifact_id
    where events.is_boundary_input or artifacts.is_trainer_output
)

select * from final
