{#- The decisions of the guarded configuration chosen on the training period
    (int_pruning_chosen_policies), from int_pruning_guarded_replay, with what each
    decision knew, rebuilt from the decisions without a second replay:
    - the deployed push: the latest push of a graphlet of the pipeline that the policy
      kept, decided earlier, and landed strictly before the decision;
    - the period's expected pushes and expected losses so far: the running sums of the
      predicted push probabilities of the pipeline's graphlets decided in the period up
      to this one, all of them and the pruned ones (this decision included).
    The replay carried the same state from graphlet to graphlet; writing it for every
    configuration cost more than computing it. -#}
with

configurations as (
    select * from {{ ref('int_pruning_configurations') }}
),

chosen as (
    select * from {{ ref('int_pruning_chosen_policies') }}
    where policy_name = 'guarded_model'
),

replay as (
    select * from {{ ref('int_pruning_guarded_replay') }}
),

predictions as (
    select * from {{ ref('int_graphlet_push_predictions') }}
),

select_chosen_decisions as (
    select
        replay.configuration_id,
        replay.graphlet_id,
        predictions.pipeline_name,
        predictions.period,
        predictions.decided_at_ms,
        predictions.predicted_push_probability,
        coalesce(predictions.is_pushed, false) as is_pushed,
        predictions.pushed_at_ms,
        replay.decision_reason,
        replay.decision_reason = 'pruned_below_threshold' as is_pruned
    from replay
    inner join configurations on replay.configuration_id = configurations.configuration_id
    inner join chosen on {{ graphlets.same_policy('configurations', 'chosen') }}
    inner join predictions on replay.graphlet_id = predictions.graphlet_id
),

{#- Decisions and kept pushes on one timeline per pipeline, in the replay's order: a
    push counts for a decision when it landed strictly before it (at the same instant
    the decision comes first) and its graphlet was decided earlier. A push recorded
    before its own decision point enters right after that decision, as in the
    replay, where it waits for its graphlet's turn. -#}
list_timeline_events as (
    select
        configuration_id,
        pipeline_name,
        decided_at_ms as event_ms,
        0 as event_order,
        graphlet_id as event_graphlet_id,
        0 as is_push,
        graphlet_id,
        cast(null as bigint) as kept_push_ms
    from select_chosen_decisions
    union all
    select
        configuration_id,
        pipeline_name,
        greatest(pushed_at_ms, decided_at_ms) as event_ms,
        case when pushed_at_ms >= decided_at_ms then 1 else 0 end as event_order,
        graphlet_id as event_graphlet_id,
        1 as is_push,
        cast(null as bigint) as graphlet_id,
        pushed_at_ms as kept_push_ms
    from select_chosen_decisions
    where is_pushed and not is_pruned
),

track_deployed_push as (
    select
        graphlet_id,
        max(kept_push_ms) over (
            partition by configuration_id, pipeline_name
            order by event_ms, event_order, event_graphlet_id, is_push
            rows between unbounded preceding and current row
        ) as deployed_push_ms
    from list_timeline_events
),

sum_expected_pushes as (
    select
        graphlet_id,
        sum(predicted_push_probability) over (
            partition by configuration_id, pipeline_name, period
            order by decided_at_ms, graphlet_id
            rows between unbounded preceding and current row
        ) as expected_push_sum,
        sum(case when is_pruned then predicted_push_probability else 0 end) over (
            partition by configuration_id, pipeline_name, period
            order by decided_at_ms, graphlet_id
            rows between unbounded preceding and current row
        ) as expected_lost_sum
    from select_chosen_decisions
),

final as (
    select
        select_chosen_decisions.configuration_id,
        select_chosen_decisions.graphlet_id,
        select_chosen_decisions.pipeline_name,
        select_chosen_decisions.period,
        track_deployed_push.deployed_push_ms,
        sum_expected_pushes.expected_push_sum,
        sum_expected_pushes.expected_lost_sum,
        select_chosen_decisions.decision_reason
    from select_chosen_decisions
    inner join track_deployed_push
        on select_chosen_decisions.graphlet_id = track_deployed_push.graphlet_id
    inner join sum_expected_pushes
        on select_chosen_decisions.graphlet_id = sum_expected_pushes.graphlet_id
)

select * from final
