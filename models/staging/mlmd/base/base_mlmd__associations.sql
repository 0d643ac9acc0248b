{{ graphlets.base_mlmd_links(
    'Association', ('context_id', 'context_id'), ('execution_id', 'execution_id'),
    'base_mlmd__contexts', 'base_mlmd__executions') }}
