{#- Base64 text decoded to bytes, per engine. -#}
{% macro from_base64(expression) -%}
    {{ return(adapter.dispatch('from_base64', 'graphlets')(expression)) }}
{%- endmacro %}

{% macro default__from_base64(expression) -%}
    from_base64({{ expression }})
{%- endmacro %}

{% macro spark__from_base64(expression) -%}
    unbase64({{ expression }})
{%- endmacro %}
