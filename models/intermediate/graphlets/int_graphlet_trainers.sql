{#- One graphlet per training execution that is not a cache hit (definitions §2), with
    its neighbours in the pipeline: the graphlets before and after it by start time,
    then id (the order "previous graphlet" and "a later graphlet" refer to). -#}
with

executions as (
    select * from {{ ref('int_executions_enriched') }}
    where is_graphlet_trainer
),

final as (
    select
        *,
        lag(execution_id) over (
            partition by pipeline_name order by started_at_ms, execution_id
        ) as previous_graphlet_id,
        lead(execution_id) over (
            partition by pipeline_name order by started_at_ms, execution_id
        ) as next_graphlet_id
    from executions
)

select * from final
