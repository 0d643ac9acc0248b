{{ graphlets.base_mlmd_nodes('Context', 'context', 'context') }}
