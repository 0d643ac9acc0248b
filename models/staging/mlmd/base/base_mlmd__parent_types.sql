{{ graphlets.base_mlmd_links(
    'ParentType', ('type_id', 'type_id'), ('parent_type_id', 'parent_type_id'),
    'base_mlmd__types', 'base_mlmd__types', has_id=false) }}
