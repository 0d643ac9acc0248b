{#- Time travel (definitions §6): the `as_of` var as epoch milliseconds, or nothing. -#}

{% macro as_of_ms() -%}
    {%- set as_of = var('as_of', none) -%}
    {%- if as_of is none or as_of == '' -%}
        null
    {%- else -%}
        {{ graphlets.timestamp_to_ms("cast('" ~ as_of ~ "' as timestamp)") }}
    {%- endif -%}
{%- endmacro %}

{#- A timestamp as it could be seen at `as_of`: a later update is not known yet. -#}
{% macro clamp_to_as_of(column) -%}
    {%- if var('as_of', none) in (none, '') -%}
        {{ column }}
    {%- else -%}
        least({{ column }}, {{ graphlets.as_of_ms() }})
    {%- endif -%}
{%- endmacro %}

{#- True when a row stamped `column` (epoch ms) did not exist yet at `as_of`. -#}
{% macro is_after_as_of(column) -%}
    {%- if var('as_of', none) in (none, '') -%}
        false
    {%- else -%}
        coalesce({{ column }} > {{ graphlets.as_of_ms() }}, false)
    {%- endif -%}
{%- endmacro %}
