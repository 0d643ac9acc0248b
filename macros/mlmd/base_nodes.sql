{#- The base model of one MLMD node table (Artifact, Execution, Context): renamed,
    enums decoded, and every row checked. `state_column`/`state_decoder` are the
    table's state enum, if it has one. -#}
{% macro base_mlmd_nodes(source_table, node, type_kind, state_column=none, state_decoder=none) %}
with

source as (
    select * from {{ source('mlmd', source_table) }}
),

duplicates as (
    {{ graphlets.later_duplicate_rows('source', ['id'], source('mlmd', source_table)) }}
),

types as (
    select type_id
    from {{ ref('base_mlmd__types') }}
    where quarantine_reason is null and type_kind = '{{ type_kind }}'
),

renamed as (
    select
        id as {{ node }}_id,
        type_id as {{ node }}_type_id,
        {%- if source_table == 'Artifact' %}
        uri,
        {%- endif %}
        name as {{ node }}_name,
        external_id,
        {%- if state_column %}
        coalesce({{ state_column }}, 0) as state_code,
        {%- if state_decoder == 'decode_artifact_state' %}
        {{ graphlets.decode_artifact_state('coalesce(' ~ state_column ~ ', 0)') }} as state,
        {%- else %}
        {{ graphlets.decode_execution_state('coalesce(' ~ state_column ~ ', 0)') }} as state,
        {%- endif %}
        {%- endif %}
        create_time_since_epoch as created_at_ms,
        -- An update stamped before creation is a writer bug: the row ends when it began.
        greatest(
            coalesce(last_update_time_since_epoch, create_time_since_epoch),
            create_time_since_epoch
        ) as updated_at_ms,
        file_row_number as source_row_number
    from source
),

checked as (
    select
        renamed.*,
        duplicates.file_row_number is not null as is_duplicate,
        types.type_id is not null as has_known_type
    from renamed
    left join duplicates on renamed.source_row_number = duplicates.file_row_number
    left join types on renamed.{{ node }}_type_id = types.type_id
),

final as (
    select
        *,
        {{ graphlets.first_reason([
            (node ~ '_id is null', 'missing id'),
            ('is_duplicate', 'duplicate id'),
            ('not has_known_type', 'unknown ' ~ type_kind ~ ' type_id'),
            ('state is null', 'unknown state') if state_column else none,
            ('coalesce(created_at_ms, 0) <= 0', 'missing or negative timestamp'),
            ("coalesce(" ~ node ~ "_name, '') = ''", 'context has no name')
                if source_table == 'Context' else none,
        ]) }} as quarantine_reason,
        {{ graphlets.is_after_as_of('created_at_ms') }} as is_after_as_of
    from checked
)

select * from final
{% endmacro %}
