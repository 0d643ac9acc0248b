{{ graphlets.base_mlmd_nodes(
    'Artifact', 'artifact', 'artifact', 'state', 'decode_artifact_state'
) }}
