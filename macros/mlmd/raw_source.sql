{#- `source()` for every model, per engine. DuckDB reads the raw layer through the
    sources' `external_location`. Spark reads each Parquet file directly, with
    `_metadata.row_index` as `file_row_number` (both count rows from 0 in file order).
    The raw layer's folder is $GRAPHLETS_RAW_DIR (e.g. an s3:// or dbfs:/ folder on a
    cluster), else the data directory's raw/. -#}
{% macro source(source_name, table_name) -%}
    {{ return(adapter.dispatch('read_source', 'graphlets')(source_name, table_name)) }}
{%- endmacro %}

{% macro default__read_source(source_name, table_name) -%}
    {{ return(builtins.source(source_name, table_name)) }}
{%- endmacro %}

{% macro spark__read_source(source_name, table_name) -%}
    {#- builtins.source still records the dependency for lineage and docs. -#}
    {%- set relation = builtins.source(source_name, table_name) -%}
    {%- set raw_dir = env_var('GRAPHLETS_RAW_DIR', env_var('GRAPHLETS_DATA_DIR', 'data') ~ '/raw') -%}
    {{ return(
        "(select *, _metadata.row_index as file_row_number from parquet.`"
        ~ raw_dir ~ "/" ~ relation.identifier ~ ".parquet`)"
    ) }}
{%- endmacro %}
