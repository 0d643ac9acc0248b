select
    child_context_id,
    parent_context_id
from {{ ref('base_mlmd__parent_contexts') }}
where quarantine_reason is null and not is_after_as_of
