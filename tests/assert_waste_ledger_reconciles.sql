-- The fleet's productive, pending and wasted cost add up to its total cost.
select * from {{ ref('rpt_waste_breakdown') }}
where abs(total_cost - productive_cost - pending_cost - wasted_cost)
    > 1e-6 * greatest(total_cost, 1)
