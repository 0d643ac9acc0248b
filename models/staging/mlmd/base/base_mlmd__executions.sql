{{ graphlets.base_mlmd_nodes(
    'Execution', 'execution', 'execution', 'last_known_state', 'decode_execution_state'
) }}
