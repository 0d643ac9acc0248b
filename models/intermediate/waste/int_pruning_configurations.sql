{#- Every pruning policy configuration the backtest replays (definitions §4), one row
    each with a small integer id, so the big per-graphlet models carry one integer
    instead of a policy name and three settings:
    - model (unguarded): thresholds 0.00..1.00 by 0.02;
    - guarded_model: thresholds 0.00..1.00 by 0.05 times each age bound multiplier of
      the var `age_bound_multipliers`, with the var `pipeline_loss_cap`;
    - the baselines never_prune, previous_not_pushed and oracle, which have no setting. -#}
{%- set model_threshold_steps = 50 -%}
{%- set guarded_threshold_steps = 20 -%}
with

list_model_thresholds as (
    select
        'model' as policy_name,
        cast(step as double) / {{ model_threshold_steps }} as threshold,
        cast(null as double) as age_bound_multiplier,
        cast(null as double) as pipeline_loss_cap
    from ({{ graphlets.integer_steps(model_threshold_steps) }}) as steps
),

list_multipliers as (
    {%- for multiplier in var('age_bound_multipliers') %}
    select {{ multiplier }} as age_bound_multiplier{{ ' union all' if not loop.last }}
    {%- endfor %}
),

list_guarded_settings as (
    select
        'guarded_model' as policy_name,
        cast(steps.step as double) / {{ guarded_threshold_steps }} as threshold,
        cast(list_multipliers.age_bound_multiplier as double) as age_bound_multiplier,
        cast({{ var('pipeline_loss_cap') }} as double) as pipeline_loss_cap
    from ({{ graphlets.integer_steps(guarded_threshold_steps) }}) as steps
    cross join list_multipliers
),

list_baseline_names as (
    {%- for baseline in ['never_prune', 'previous_not_pushed', 'oracle'] %}
    select '{{ baseline }}' as policy_name{{ ' union all' if not loop.last }}
    {%- endfor %}
),

list_baselines as (
    select
        policy_name,
        cast(null as double) as threshold,
        cast(null as double) as age_bound_multiplier,
        cast(null as double) as pipeline_loss_cap
    from list_baseline_names
),

combine_configurations as (
    select * from list_model_thresholds
    union all
    select * from list_guarded_settings
    union all
    select * from list_baselines
),

final as (
    select
        cast(row_number() over (
            order by policy_name, threshold, age_bound_multiplier
        ) as integer) as configuration_id,
        policy_name,
        threshold,
        age_bound_multiplier,
        pipeline_loss_cap
    from combine_configurations
)

select * from final
