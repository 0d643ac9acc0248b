{#- One row per (graphlet, boundary crossing) its upstream walk met (definitions §2). -#}
select * from {{ ref('int_graphlet_external_inputs') }}
