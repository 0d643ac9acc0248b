{#- Artifacts and executions share one id space inside the traversal as integers
    (narrow rows recurse faster than strings): artifact n -> 2n, execution n -> 2n+1.
    Marts show the readable form, `artifact:17` / `execution:4`. -#}
{% macro node_key(kind, id_column) -%}
    {%- if kind == 'artifact' -%}
        ({{ id_column }} * 2)
    {%- else -%}
        ({{ id_column }} * 2 + 1)
    {%- endif -%}
{%- endmacro %}

{% macro node_kind_of(key_column) -%}
    case when {{ key_column }} % 2 = 0 then 'artifact' else 'execution' end
{%- endmacro %}

{% macro mlmd_id_of(key_column) -%}
    {{ return(adapter.dispatch('mlmd_id_of', 'graphlets')(key_column)) }}
{%- endmacro %}

{#- Integer division: `/` on integers divides exactly in Trino and Postgres. -#}
{% macro default__mlmd_id_of(key_column) -%}
    ({{ key_column }} / 2)
{%- endmacro %}

{% macro duckdb__mlmd_id_of(key_column) -%}
    ({{ key_column }} // 2)
{%- endmacro %}

{% macro spark__mlmd_id_of(key_column) -%}
    ({{ key_column }} div 2)
{%- endmacro %}
