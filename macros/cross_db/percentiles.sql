{#- Continuous percentile (linear interpolation between the two nearest ranks) of a
    numeric expression, as an aggregate, per engine. -#}
{% macro percentile_cont(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile_cont', 'graphlets')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile_cont(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__percentile_cont(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro spark__percentile_cont(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}

{#- The UTC calendar date of an epoch-millisecond value. -#}
{% macro ms_to_date(column) -%}
    {{ return(adapter.dispatch('ms_to_date', 'graphlets')(column)) }}
{%- endmacro %}

{% macro default__ms_to_date(column) -%}
    cast({{ graphlets.ms_to_timestamp(column) }} as date)
{%- endmacro %}
