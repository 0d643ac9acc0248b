{#- Lists of epoch-ms instants carried through the pruning replay (the kept pushes a
    pipeline has not received yet), per engine. -#}

{#- The latest instant of the list strictly before `bound_ms` (null when none). -#}
{% macro latest_instant_before(list_column, bound_ms) -%}
    {{ return(adapter.dispatch('latest_instant_before', 'graphlets')(list_column, bound_ms)) }}
{%- endmacro %}

{% macro default__latest_instant_before(list_column, bound_ms) -%}
    list_max(list_filter({{ list_column }}, lambda instant: instant < {{ bound_ms }}))
{%- endmacro %}

{% macro spark__latest_instant_before(list_column, bound_ms) -%}
    array_max(filter({{ list_column }}, instant -> instant < {{ bound_ms }}))
{%- endmacro %}

{#- The list without its instants before `bound_ms`. -#}
{% macro instants_from(list_column, bound_ms) -%}
    {{ return(adapter.dispatch('instants_from', 'graphlets')(list_column, bound_ms)) }}
{%- endmacro %}

{% macro default__instants_from(list_column, bound_ms) -%}
    list_filter({{ list_column }}, lambda instant: instant >= {{ bound_ms }})
{%- endmacro %}

{% macro spark__instants_from(list_column, bound_ms) -%}
    filter({{ list_column }}, instant -> instant >= {{ bound_ms }})
{%- endmacro %}

{#- The list with `instant_ms` appended when `condition` holds. -#}
{% macro append_instant_when(list_column, instant_ms, condition) -%}
    {{ return(adapter.dispatch('append_instant_when', 'graphlets')(list_column, instant_ms, condition)) }}
{%- endmacro %}

{% macro default__append_instant_when(list_column, instant_ms, condition) -%}
    case when {{ condition }} then list_append({{ list_column }}, {{ instant_ms }})
        else {{ list_column }} end
{%- endmacro %}

{% macro spark__append_instant_when(list_column, instant_ms, condition) -%}
    case when {{ condition }} then concat({{ list_column }}, array({{ instant_ms }}))
        else {{ list_column }} end
{%- endmacro %}

{#- An empty list of epoch-ms instants. -#}
{% macro empty_instant_list() -%}
    {{ return(adapter.dispatch('empty_instant_list', 'graphlets')()) }}
{%- endmacro %}

{% macro default__empty_instant_list() -%}
    cast([] as bigint[])
{%- endmacro %}

{% macro spark__empty_instant_list() -%}
    cast(array() as array<bigint>)
{%- endmacro %}
