-- A graphlet whose traversal reached `max_depth` with steps left is cut short: it is
-- built and flagged (fct_graphlets.is_truncated), and `graphlets build` prints a warning
-- naming how many and which. Raise the var, or find the cycle a broken writer left.
{{ config(severity='warn') }}
select * from {{ ref('int_graphlets_truncated') }}
