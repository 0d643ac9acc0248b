-- A graphlet whose traversal reached `max_depth` with steps left is cut short:
-- raise the var, or find the cycle a broken writer left in the store.
select * from {{ ref('int_graphlets_truncated') }}
