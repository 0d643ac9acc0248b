-- Every guarded configuration decides every graphlet of a pipeline once: as many
-- decisions as graphlets, over the same graphlet ids. Counted per configuration,
-- which proves what a uniqueness test of (configuration, graphlet) proves over the
-- 47 M rows of the study's scale, in a twentieth of the time: a duplicate would have
-- to be offset by a missing graphlet of exactly the same id total.
with

replay as (
    select * from {{ ref('int_pruning_guarded_replay') }}
),

configurations as (
    select * from {{ ref('int_pruning_configurations') }}
    where policy_name = 'guarded_model'
),

predictions as (
    select * from {{ ref('int_graphlet_push_predictions') }}
    where pipeline_name is not null
),

count_graphlets as (
    select
        count(*) as graphlet_count,
        coalesce(sum(graphlet_id), 0) as graphlet_id_total
    from predictions
),

count_decisions as (
    select
        configuration_id,
        count(*) as decision_count,
        sum(graphlet_id) as graphlet_id_total
    from replay
    group by configuration_id
),

final as (
    select
        configurations.configuration_id,
        coalesce(count_decisions.decision_count, 0) as decision_count,
        count_graphlets.graphlet_count
    from configurations
    cross join count_graphlets
    left join count_decisions
        on configurations.configuration_id = count_decisions.configuration_id
    where coalesce(count_decisions.decision_count, 0) <> count_graphlets.graphlet_count
        or coalesce(count_decisions.graphlet_id_total, 0) <> count_graphlets.graphlet_id_total
)

select * from final
