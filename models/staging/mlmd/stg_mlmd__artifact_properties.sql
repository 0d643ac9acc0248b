{{ graphlets.stage_mlmd_properties('artifact') }}
