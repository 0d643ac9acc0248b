{#- Execution types that ran but the `operator_categories` seed does not map
    (category `other`), with how much work they account for: add them to the seed.
    Types no execution uses (MLMD's own base types such as `mlmd.Train`) are left out. -#}
with

types as (
    select * from {{ ref('int_execution_types_categorized') }}
    where not is_mapped
),

executions as (
    select * from {{ ref('int_executions_enriched') }}
),

final as (
    select
        types.execution_type,
        types.execution_class_name,
        count(executions.execution_id) as execution_count,
        coalesce(sum(executions.cost), 0) as total_cost
    from types
    inner join executions on types.execution_type = executions.execution_type
    group by types.execution_type, types.execution_class_name
)

select * from final
