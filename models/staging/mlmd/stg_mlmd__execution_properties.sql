{#- A table, unlike the other staging models: decoding values is worth doing once. -#}
{{ config(materialized='table') }}
{{ graphlets.stage_mlmd_properties('execution') }}
