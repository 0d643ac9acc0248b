{#- Upstream, trainer and downstream members: one row per (graphlet, node), with
    the shortest and longest hop count at which the traversal reached it. A node
    both upstream and downstream of one trainer counts as upstream. -#}
with

reached as (
    select * from {{ ref('int_graphlet_nodes_reached') }}
),

final as (
    select
        graphlet_id,
        node_key,
        case
            when node_key = {{ graphlets.node_key('execution', 'graphlet_id') }} then 'trainer'
            when bool_or(is_upstream) then 'upstream'
            else 'downstream'
        end as member_role,
        min(depth) as min_depth,
        max(depth) as max_depth
    from reached
    group by graphlet_id, node_key
)

select * from final
