{{ graphlets.base_mlmd_links(
    'ParentContext', ('context_id', 'child_context_id'),
    ('parent_context_id', 'parent_context_id'),
    'base_mlmd__contexts', 'base_mlmd__contexts', has_id=false) }}
