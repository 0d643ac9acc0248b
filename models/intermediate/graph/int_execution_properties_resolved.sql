{{ graphlets.resolve_mlmd_properties('execution') }}
