select
    context_id,
    context_type_id,
    context_name,
    external_id,
    created_at_ms,
    {{ graphlets.clamp_to_as_of('updated_at_ms') }} as updated_at_ms
from {{ ref('base_mlmd__contexts') }}
where quarantine_reason is null and not is_after_as_of
