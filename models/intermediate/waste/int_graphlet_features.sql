{#- One row per graphlet: what was known at its decision point (`decided_at`), the
    features the pruning model reads, and, apart, the label. Only the graphlet's own
    data-side members (ingestion, data_analysis, data_validation) and graphlets of the
    same pipeline that finished before `decided_at` feed the features (definitions §4);
    a test rebuilds the store cut at decision points and finds the same rows. -#}
with

pushes as (
    select * from {{ ref('int_graphlet_pushes') }}
),

data_side as (
    select * from {{ ref('int_graphlet_data_side') }}
),

history as (
    select * from {{ ref('int_graphlet_known_history') }}
),

final as (
    select
        pushes.graphlet_id,
        pushes.pipeline_name,
        {{ graphlets.ms_to_timestamp('pushes.decision_at_ms') }} as decided_at,
        pushes.decision_at_ms as decided_at_ms,
        data_side.data_execution_count,
        data_side.data_cached_execution_count,
        data_side.data_failed_execution_count,
        data_side.data_artifact_count,
        cast(data_side.data_cost as double) as data_cost,
        data_side.drift_figure_count,
        cast(data_side.max_drift_score as double) as max_drift_score,
        cast(data_side.anomaly_count as double) as anomaly_count,
        data_side.is_drifted,
        history.span_count,
        history.new_span_count,
        history.unseen_span_count,
        history.span_count > 0 and history.new_span_count = 0 as is_no_new_data,
        history.is_data_structure_changed,
        history.known_graphlet_count,
        history.known_push_count,
        history.known_training_failed_count,
        case
            when history.known_graphlet_count > 0
                then cast(history.known_push_count as double) / history.known_graphlet_count
        end as known_push_rate,
        case
            when history.recent_graphlet_count > 0
                then cast(history.recent_push_count as double) / history.recent_graphlet_count
        end as recent_push_rate,
        history.not_pushed_streak,
        history.last_known_graphlet_id,
        history.last_known_is_pushed,
        history.last_known_is_training_failed,
        (pushes.decision_at_ms - history.last_known_finished_at_ms) / 3600000e0
            as hours_since_last_known_graphlet,
        (pushes.decision_at_ms - history.last_pushed_at_ms) / 3600000e0
            as hours_since_last_push,
        case when pushes.outcome <> 'pending' then pushes.is_pushed end as is_pushed
    from pushes
    inner join data_side on pushes.graphlet_id = data_side.graphlet_id
    inner join history on pushes.graphlet_id = history.graphlet_id
)

select * from final
