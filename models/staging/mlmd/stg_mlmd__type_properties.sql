select
    type_id,
    property_name,
    data_type
from {{ ref('base_mlmd__type_properties') }}
where quarantine_reason is null
