select
    event_id,
    artifact_id,
    execution_id,
    event_type,
    event_direction,
    occurred_at_ms
from {{ ref('base_mlmd__events') }}
where quarantine_reason is null and not is_after_as_of
