select schema_version
from {{ ref('base_mlmd__environments') }}
where quarantine_reason is null
