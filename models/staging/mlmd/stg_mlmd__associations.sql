select
    association_id,
    context_id,
    execution_id
from {{ ref('base_mlmd__associations') }}
where quarantine_reason is null and not is_after_as_of
