{#- The producer of each artifact: the earliest (start time, then id) non-CACHED
    execution with an output event to it. Other executions with output events are
    re-emitters (cache hits, resolvers, importers handing an artifact on). -#}
with

artifacts as (
    select * from {{ ref('stg_mlmd__artifacts') }}
),

artifact_types as (
    select * from {{ ref('stg_mlmd__types') }}
    where type_kind = 'artifact'
),

output_events as (
    select * from {{ ref('int_events_keyed') }}
    where event_direction = 'output'
),

executions as (
    select * from {{ ref('int_executions_enriched') }}
),

candidate_producers as (
    select
        output_events.artifact_id,
        executions.execution_id,
        executions.category,
        row_number() over (
            partition by output_events.artifact_id
            order by executions.started_at_ms, executions.execution_id
        ) as production_order
    from output_events
    inner join executions on output_events.execution_id = executions.execution_id
    where executions.state <> 'CACHED'
),

reemission_counts as (
    select artifact_id, count(distinct execution_id) as output_execution_count
    from output_events
    group by artifact_id
),

final as (
    select
        artifacts.artifact_id,
        artifact_types.type_name as artifact_type,
        artifacts.state as artifact_state,
        artifacts.uri,
        artifacts.created_at_ms,
        candidate_producers.execution_id as producer_execution_id,
        candidate_producers.category as producer_category,
        coalesce(candidate_producers.category = 'training', false) as is_trainer_output,
        coalesce(reemission_counts.output_execution_count, 0)
        - (candidate_producers.execution_id is not null)::int as reemitter_count
    from artifacts
    inner join artifact_types on artifacts.artifact_type_id = artifact_types.type_id
    left join candidate_producers
        on artifacts.artifact_id = candidate_producers.artifact_id
        and candidate_producers.production_order = 1
    left join reemission_counts on artifacts.artifact_id = reemission_counts.artifact_id
)

select * from final
