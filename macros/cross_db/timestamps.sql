{#- Epoch milliseconds <-> timestamps, per engine. -#}

{% macro ms_to_timestamp(column) -%}
    {{ return(adapter.dispatch('ms_to_timestamp', 'graphlets')(column)) }}
{%- endmacro %}

{% macro default__ms_to_timestamp(column) -%}
    timestamp_millis({{ column }})
{%- endmacro %}

{% macro duckdb__ms_to_timestamp(column) -%}
    make_timestamp(({{ column }}) * 1000)
{%- endmacro %}

{% macro timestamp_to_ms(expression) -%}
    {{ return(adapter.dispatch('timestamp_to_ms', 'graphlets')(expression)) }}
{%- endmacro %}

{% macro default__timestamp_to_ms(expression) -%}
    unix_millis({{ expression }})
{%- endmacro %}

{% macro duckdb__timestamp_to_ms(expression) -%}
    epoch_ms({{ expression }})
{%- endmacro %}
