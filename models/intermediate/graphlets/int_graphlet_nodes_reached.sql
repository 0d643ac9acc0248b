{{ graphlets.graphlet_reach(
    ref('int_graphlet_trainers'), ref('int_lineage_steps'), var('max_depth')
) }}
