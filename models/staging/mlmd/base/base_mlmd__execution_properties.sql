{{ graphlets.base_mlmd_properties('ExecutionProperty', 'execution') }}
