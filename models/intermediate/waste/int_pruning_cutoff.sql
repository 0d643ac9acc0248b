{#- The instant that splits graphlets into the pruning model's training period
    (decided before it) and evaluation period (decided at or after it): the var
    `training_cutoff` when set, otherwise 60% of the way through the range of decision
    times. One row, with the periods' bounds. -#}
{%- set training_cutoff = var('training_cutoff', none) -%}
with

pushes as (
    select * from {{ ref('int_graphlet_pushes') }}
),

find_range as (
    select
        min(decision_at_ms) as first_decision_at_ms,
        max(decision_at_ms) as last_decision_at_ms,
        max(finished_at_ms) as last_finished_at_ms
    from pushes
),

final as (
    select
        first_decision_at_ms,
        last_decision_at_ms,
        greatest(last_finished_at_ms, last_decision_at_ms) as last_activity_at_ms,
        {%- if training_cutoff in (none, '') %}
        -- Rounded first: a cast to bigint rounds on DuckDB but truncates on Spark.
        cast(round(
            first_decision_at_ms + 0.6 * (last_decision_at_ms - first_decision_at_ms)
        ) as bigint) as cutoff_at_ms,
        'default:60%_of_decision_range' as cutoff_source
        {%- else %}
        {{ graphlets.timestamp_to_ms("cast('" ~ training_cutoff ~ "' as timestamp)") }}
            as cutoff_at_ms,
        'var:training_cutoff' as cutoff_source
        {%- endif %}
    from find_range
)

select * from final
