{{ graphlets.resolve_mlmd_properties('artifact') }}
