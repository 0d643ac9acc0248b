{#- MLMD stores its enums as integers; these turn them into the proto's names.
    A value outside the enum decodes to null, which the base models quarantine. -#}

{% macro decode_enum(column, names) -%}
    case {{ column }}
    {%- for code, name in names.items() %}
        when {{ code }} then '{{ name }}'
    {%- endfor %}
    end
{%- endmacro %}

{% macro decode_event_type(column) -%}
    {{ graphlets.decode_enum(column, {
        0: 'UNKNOWN', 1: 'DECLARED_OUTPUT', 2: 'DECLARED_INPUT', 3: 'INPUT',
        4: 'OUTPUT', 5: 'INTERNAL_INPUT', 6: 'INTERNAL_OUTPUT', 7: 'PENDING_OUTPUT'}) }}
{%- endmacro %}

{% macro decode_event_direction(column) -%}
    {{ graphlets.decode_enum(column, {
        1: 'output', 2: 'input', 3: 'input', 4: 'output', 5: 'input', 6: 'output',
        7: 'pending_output'}) }}
{%- endmacro %}

{% macro decode_execution_state(column) -%}
    {{ graphlets.decode_enum(column, {
        0: 'UNKNOWN', 1: 'NEW', 2: 'RUNNING', 3: 'COMPLETE', 4: 'FAILED', 5: 'CACHED',
        6: 'CANCELED'}) }}
{%- endmacro %}

{% macro decode_artifact_state(column) -%}
    {{ graphlets.decode_enum(column, {
        0: 'UNKNOWN', 1: 'PENDING', 2: 'LIVE', 3: 'MARKED_FOR_DELETION', 4: 'DELETED',
        5: 'ABANDONED', 6: 'REFERENCE'}) }}
{%- endmacro %}

{% macro decode_type_kind(column) -%}
    {{ graphlets.decode_enum(column, {0: 'execution', 1: 'artifact', 2: 'context'}) }}
{%- endmacro %}

{% macro decode_property_data_type(column) -%}
    {{ graphlets.decode_enum(column, {
        0: 'UNKNOWN', 1: 'INT', 2: 'DOUBLE', 3: 'STRING', 4: 'STRUCT', 5: 'PROTO',
        6: 'BOOLEAN'}) }}
{%- endmacro %}
