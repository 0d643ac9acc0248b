{#- One graphlet per training execution that is not a cache hit (spec section 2). -#}
select *
from {{ ref('int_executions_enriched') }}
where is_graphlet_trainer
