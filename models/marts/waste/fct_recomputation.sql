{#- Recomputation (definitions §3): two or more COMPLETE, non-bookkeeping executions
    that computed the same thing; every one after the first (start time, then id)
    is recomputed cost. The key is the `execution_cache` context; without one, the
    execution type, the set of input artifacts and the properties other than cost
    properties and `__` names. One row per recomputed execution. -#}
with

executions as (
    select * from {{ ref('int_executions_enriched') }}
    where state = 'COMPLETE' and category <> 'bookkeeping'
),

inputs as (
    select * from {{ ref('int_events_keyed') }}
    where event_direction = 'input'
),

properties as (
    select * from {{ ref('int_execution_properties_resolved') }}
    where {{ graphlets.is_configuration_property('property_name') }}
),

{#- Only an execution without a cache key needs its key derived (TFX stores give
    nearly every one a key, and folding tens of millions of inputs and properties for
    nothing is most of this model's time). -#}
list_uncached_executions as (
    select execution_id from executions
    where cache_key is null
),

input_sets as (
    select
        execution_id,
        {{ graphlets.ordered_list('artifact_id', 'artifact_id') }} as input_artifact_ids
    from (
        select distinct inputs.execution_id, inputs.artifact_id
        from inputs
        inner join list_uncached_executions
            on inputs.execution_id = list_uncached_executions.execution_id
    ) as distinct_inputs
    group by execution_id
),

property_sets as (
    select
        properties.execution_id,
        {{ graphlets.ordered_list(
            "properties.property_name || '=' || coalesce(properties.display_value, '')",
            'properties.property_name'
        ) }} as property_values
    from properties
    inner join list_uncached_executions
        on properties.execution_id = list_uncached_executions.execution_id
    group by properties.execution_id
),

keyed as (
    select
        executions.execution_id,
        executions.pipeline_name,
        executions.execution_type,
        executions.started_at_ms,
        executions.cost,
        case when executions.cache_key is not null then 'execution_cache' else 'derived' end
            as key_source,
        coalesce(
            executions.cache_key,
            md5(
                executions.execution_type || '|'
                || coalesce(cast(input_sets.input_artifact_ids as string), '[]') || '|'
                || coalesce(cast(property_sets.property_values as string), '[]')
            )
        ) as recomputation_key
    from executions
    left join input_sets on executions.execution_id = input_sets.execution_id
    left join property_sets on executions.execution_id = property_sets.execution_id
),

ordered as (
    select
        *,
        cast(row_number() over (
            partition by recomputation_key order by started_at_ms, execution_id
        ) as bigint) as computation_order,
        first_value(execution_id) over (
            partition by recomputation_key order by started_at_ms, execution_id
        ) as original_execution_id
    from keyed
),

final as (
    select
        execution_id,
        original_execution_id,
        recomputation_key,
        key_source,
        pipeline_name,
        execution_type,
        computation_order,
        cost as recomputed_cost
    from ordered
    where computation_order > 1
)

select * from final
