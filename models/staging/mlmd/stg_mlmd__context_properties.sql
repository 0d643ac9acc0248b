{{ graphlets.stage_mlmd_properties('context') }}
