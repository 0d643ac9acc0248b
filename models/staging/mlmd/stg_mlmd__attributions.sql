select
    attribution_id,
    context_id,
    artifact_id
from {{ ref('base_mlmd__attributions') }}
where quarantine_reason is null and not is_after_as_of
