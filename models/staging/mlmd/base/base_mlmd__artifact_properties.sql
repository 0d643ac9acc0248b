{{ graphlets.base_mlmd_properties('ArtifactProperty', 'artifact') }}
