{{ graphlets.base_mlmd_properties('ContextProperty', 'context') }}
