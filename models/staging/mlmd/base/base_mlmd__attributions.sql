{{ graphlets.base_mlmd_links(
    'Attribution', ('context_id', 'context_id'), ('artifact_id', 'artifact_id'),
    'base_mlmd__contexts', 'base_mlmd__artifacts') }}
