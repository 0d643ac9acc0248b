{#- Cost of every execution (definitions §1): zero for CACHED and bookkeeping work;
    else the first `cost_properties` entry holding a number (typed before custom);
    else its duration in seconds, a RUNNING or NEW one running up to the latest time
    the store knows (or `as_of`, if earlier). -#}
{%- set cost_properties = var('cost_properties') -%}
with

executions as (
    select * from {{ ref('stg_mlmd__executions') }}
),

types as (
    select * from {{ ref('int_execution_types_categorized') }}
),

properties as (
    select * from {{ ref('stg_mlmd__execution_properties') }}
    where value_type in ('int', 'double')
        and property_name in (
            {{- graphlets.string_literals(cost_properties) -}}
        )
),

{#- The store's last activity, over every valid row before any `as_of` cut. -#}
find_store_activity as (
    select
        greatest(
            (
                select max(updated_at_ms) from {{ ref('base_mlmd__executions') }}
                where quarantine_reason is null
            ),
            (
                select max(updated_at_ms) from {{ ref('base_mlmd__artifacts') }}
                where quarantine_reason is null
            ),
            (
                select max(occurred_at_ms) from {{ ref('base_mlmd__events') }}
                where quarantine_reason is null
            ),
            (
                select max(updated_at_ms) from {{ ref('base_mlmd__contexts') }}
                where quarantine_reason is null
            )
        ) as last_activity_ms
),

{#- RUNNING work runs up to `as_of`, but never past the last time the store knows. -#}
store_clock as (
    select {{ graphlets.clamp_to_as_of('last_activity_ms') }} as latest_ms
    from find_store_activity
),

first_cost_property as (
    select
        execution_id,
        property_name,
        number_value,
        row_number() over (
            partition by execution_id
            order by
                case property_name
                    {%- for name in cost_properties %}
                    when '{{ name }}' then {{ loop.index }}
                    {%- endfor %}
                end,
                is_custom_property
        ) as preference
    from properties
),

executions_timed as (
    select
        executions.execution_id,
        executions.state,
        types.category,
        executions.created_at_ms as started_at_ms,
        case
            when executions.state in ('RUNNING', 'NEW')
                then greatest(executions.updated_at_ms, store_clock.latest_ms)
            else executions.updated_at_ms
        end as ended_at_ms
    from executions
    cross join store_clock
    inner join types on executions.execution_type_id = types.execution_type_id
),

final as (
    select
        executions_timed.execution_id,
        executions_timed.started_at_ms,
        executions_timed.ended_at_ms,
        case
            when executions_timed.state = 'CACHED' then 0e0
            when executions_timed.category = 'bookkeeping' then 0e0
            when first_cost_property.execution_id is not null
                then first_cost_property.number_value
            else greatest(executions_timed.ended_at_ms - executions_timed.started_at_ms, 0) / 1000e0
        end as cost,
        case
            when executions_timed.state = 'CACHED' then 'zero:cached'
            when executions_timed.category = 'bookkeeping' then 'zero:bookkeeping'
            when first_cost_property.execution_id is not null
                then 'property:' || first_cost_property.property_name
            else 'duration'
        end as cost_source
    from executions_timed
    left join first_cost_property
        on executions_timed.execution_id = first_cost_property.execution_id
        and first_cost_property.preference = 1
)

select * from final
