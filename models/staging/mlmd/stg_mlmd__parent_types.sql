select
    type_id,
    parent_type_id
from {{ ref('base_mlmd__parent_types') }}
where quarantine_reason is null
