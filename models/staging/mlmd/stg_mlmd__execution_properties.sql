{{ graphlets.stage_mlmd_properties('execution') }}
