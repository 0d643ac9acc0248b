with

base as (
    select * from {{ ref('base_mlmd__executions') }}
    where quarantine_reason is null and not is_after_as_of
),

{#- Time travel: an execution updated after `as_of` had not finished by then. -#}
seen_as_of as (
    select
        *,
        {{ graphlets.is_after_as_of('updated_at_ms') }} as is_unfinished_as_of
    from base
),

final as (
    select
        execution_id,
        execution_type_id,
        execution_name,
        external_id,
        case when is_unfinished_as_of then 'RUNNING' else state end as state,
        created_at_ms,
        case
            when is_unfinished_as_of then {{ graphlets.as_of_ms() }} else updated_at_ms
        end as updated_at_ms,
        {{ graphlets.ms_to_timestamp('created_at_ms') }} as started_at,
        {{ graphlets.ms_to_timestamp(
            'case when is_unfinished_as_of then ' ~ graphlets.as_of_ms() ~ ' else updated_at_ms end'
        ) }} as last_updated_at
    from seen_as_of
)

select * from final
