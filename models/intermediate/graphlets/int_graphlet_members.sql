{#- All members of every graphlet: U(T) ∪ D(T) ∪ S(T), one row per (graphlet, node). -#}
with

traversed as (
    select * from {{ ref('int_graphlet_members_traversed') }}
),

side as (
    select * from {{ ref('int_side_branch_members') }}
),

unioned as (
    select * from traversed
    union all
    select * from side
),

final as (
    select
        graphlet_id,
        node_key,
        {{ graphlets.node_kind_of('node_key') }} as node_kind,
        {{ graphlets.mlmd_id_of('node_key') }} as mlmd_id,
        member_role,
        min_depth,
        max_depth
    from unioned
)

select * from final
