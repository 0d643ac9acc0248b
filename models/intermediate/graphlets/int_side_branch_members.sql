{#- Side branches S(T) (definitions §2): executions in no graphlet's upstream or
    downstream and not trainers, all of whose input artifacts are members of one
    graphlet, with their outputs. With run contexts an execution joins every
    qualifying trainer of its own run (one with no inputs qualifies for all of
    them); without, it needs an input and joins the first qualifying trainer (by
    start time, then id) that starts at or after it. -#}
with

traversed as (
    select * from {{ ref('int_graphlet_members_traversed') }}
),

executions as (
    select * from {{ ref('int_executions_enriched') }}
),

trainers as (
    select * from {{ ref('int_graphlet_trainers') }}
),

events as (
    select * from {{ ref('int_events_keyed') }}
),

executions_traversed as (
    select distinct {{ graphlets.mlmd_id_of('node_key') }} as execution_id
    from traversed
    where node_key % 2 = 1
),

candidates as (
    select executions.*
    from executions
    left join executions_traversed
        on executions.execution_id = executions_traversed.execution_id
    where executions_traversed.execution_id is null
        and not executions.is_graphlet_trainer
),

candidate_inputs as (
    select distinct
        candidates.execution_id,
        events.artifact_id
    from candidates
    inner join events
        on candidates.execution_id = events.execution_id
        and events.event_direction = 'input'
),

input_counts as (
    select execution_id, count(*) as input_count
    from candidate_inputs
    group by execution_id
),

inputs_found_in_graphlets as (
    select
        candidate_inputs.execution_id,
        traversed.graphlet_id,
        count(*) as found_count
    from candidate_inputs
    inner join traversed
        on traversed.node_key = {{ graphlets.node_key('artifact', 'candidate_inputs.artifact_id') }}
    group by candidate_inputs.execution_id, traversed.graphlet_id
),

fully_covered as (
    select inputs_found_in_graphlets.execution_id, inputs_found_in_graphlets.graphlet_id
    from inputs_found_in_graphlets
    inner join input_counts
        on inputs_found_in_graphlets.execution_id = input_counts.execution_id
        and inputs_found_in_graphlets.found_count = input_counts.input_count
),

joined_within_runs as (
    select
        trainers.execution_id as graphlet_id,
        candidates.execution_id
    from candidates
    inner join trainers on candidates.run_context_id = trainers.run_context_id
    left join input_counts on candidates.execution_id = input_counts.execution_id
    left join fully_covered
        on candidates.execution_id = fully_covered.execution_id
        and trainers.execution_id = fully_covered.graphlet_id
    where input_counts.execution_id is null or fully_covered.execution_id is not null
),

later_trainers_covering as (
    select
        fully_covered.graphlet_id,
        candidates.execution_id,
        row_number() over (
            partition by candidates.execution_id
            order by trainers.started_at_ms, trainers.execution_id
        ) as trainer_order
    from candidates
    inner join fully_covered on candidates.execution_id = fully_covered.execution_id
    inner join trainers on fully_covered.graphlet_id = trainers.execution_id
    where candidates.run_context_id is null
        and trainers.started_at_ms >= candidates.started_at_ms
),

side_executions as (
    select graphlet_id, execution_id from joined_within_runs
    union all
    select graphlet_id, execution_id from later_trainers_covering
    where trainer_order = 1
),

side_nodes as (
    select
        graphlet_id,
        {{ graphlets.node_key('execution', 'execution_id') }} as node_key
    from side_executions
    union
    select
        side_executions.graphlet_id,
        {{ graphlets.node_key('artifact', 'events.artifact_id') }} as node_key
    from side_executions
    inner join events
        on side_executions.execution_id = events.execution_id
        and events.event_direction = 'output'
),

final as (
    select
        side_nodes.graphlet_id,
        side_nodes.node_key,
        'side' as member_role,
        cast(null as integer) as min_depth,
        cast(null as integer) as max_depth
    from side_nodes
    left join traversed
        on side_nodes.graphlet_id = traversed.graphlet_id
        and side_nodes.node_key = traversed.node_key
    where traversed.node_key is null
)

select * from final
