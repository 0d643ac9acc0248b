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

{#- The first day of a timestamp's month, and a 'YYYY-MM' label for it. -#}
{% macro month_of(timestamp_expression) -%}
    {{ return(adapter.dispatch('month_of', 'graphlets')(timestamp_expression)) }}
{%- endmacro %}

{% macro default__month_of(timestamp_expression) -%}
    cast(date_trunc('month', {{ timestamp_expression }}) as date)
{%- endmacro %}

{% macro month_label(date_expression) -%}
    {{ return(adapter.dispatch('month_label', 'graphlets')(date_expression)) }}
{%- endmacro %}

{% macro default__month_label(date_expression) -%}
    date_format({{ date_expression }}, 'yyyy-MM')
{%- endmacro %}

{% macro duckdb__month_label(date_expression) -%}
    strftime({{ date_expression }}, '%Y-%m')
{%- endmacro %}
