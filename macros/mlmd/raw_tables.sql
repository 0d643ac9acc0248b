{#- Each raw MLMD table with its base and staging models; the staged row count of
    EventPath is the sum of folded steps, since staging keeps one row per event. -#}
{% macro mlmd_raw_tables() %}
    {{ return([
        {'table': 'Type', 'base': 'base_mlmd__types', 'staged': 'stg_mlmd__types'},
        {'table': 'TypeProperty', 'base': 'base_mlmd__type_properties', 'staged': 'stg_mlmd__type_properties'},
        {'table': 'ParentType', 'base': 'base_mlmd__parent_types', 'staged': 'stg_mlmd__parent_types'},
        {'table': 'Artifact', 'base': 'base_mlmd__artifacts', 'staged': 'stg_mlmd__artifacts'},
        {'table': 'ArtifactProperty', 'base': 'base_mlmd__artifact_properties', 'staged': 'stg_mlmd__artifact_properties'},
        {'table': 'Execution', 'base': 'base_mlmd__executions', 'staged': 'stg_mlmd__executions'},
        {'table': 'ExecutionProperty', 'base': 'base_mlmd__execution_properties', 'staged': 'stg_mlmd__execution_properties'},
        {'table': 'Event', 'base': 'base_mlmd__events', 'staged': 'stg_mlmd__events'},
        {'table': 'EventPath', 'base': 'base_mlmd__event_paths', 'staged': 'stg_mlmd__event_paths', 'staged_rows': 'sum(step_count)'},
        {'table': 'Context', 'base': 'base_mlmd__contexts', 'staged': 'stg_mlmd__contexts'},
        {'table': 'ContextProperty', 'base': 'base_mlmd__context_properties', 'staged': 'stg_mlmd__context_properties'},
        {'table': 'ParentContext', 'base': 'base_mlmd__parent_contexts', 'staged': 'stg_mlmd__parent_contexts'},
        {'table': 'Attribution', 'base': 'base_mlmd__attributions', 'staged': 'stg_mlmd__attributions'},
        {'table': 'Association', 'base': 'base_mlmd__associations', 'staged': 'stg_mlmd__associations'},
        {'table': 'MLMDEnv', 'base': 'base_mlmd__environments', 'staged': 'stg_mlmd__environments'},
    ]) }}
{% endmacro %}
