{#- Events with their keys and direction. An input event is a boundary crossing
    when every one of its keys is a `boundary_input_keys` entry: one artifact that
    fills `model` and `baseline_model` is a real input. PENDING_OUTPUT is no edge. -#}
{%- set boundary_keys = var('boundary_input_keys') -%}
with

events as (
    select * from {{ ref('stg_mlmd__events') }}
    where event_direction in ('input', 'output')
),

paths as (
    select * from {{ ref('stg_mlmd__event_paths') }}
),

final as (
    select
        events.event_id,
        events.artifact_id,
        events.execution_id,
        events.event_type,
        events.event_direction,
        coalesce(paths.event_keys, {{ graphlets.empty_array() }}) as event_keys,
        (
            events.event_direction = 'input'
            and {{ graphlets.array_within(
                'coalesce(paths.event_keys, ' ~ graphlets.empty_array() ~ ')', boundary_keys
            ) }}
        ) as is_boundary_input,
        events.occurred_at_ms
    from events
    left join paths on events.event_id = paths.event_id
)

select * from final
