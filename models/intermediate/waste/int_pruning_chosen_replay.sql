{#- The guarded model policy replayed again, for the configuration chosen on the
    training period (int_pruning_chosen_policies) only, keeping the replay's whole
    state: what each decision knew (the deployed push, the period's expected pushes
    and expected losses so far) besides its reason. The same macro and inputs as
    int_pruning_guarded_replay, so its decisions are that model's for this
    configuration; one configuration replays in about half a second at the study's
    scale, far less than writing every configuration's state. -#}
{%- set chosen_configuration -%}
    (
        select configurations.*
        from {{ ref('int_pruning_configurations') }} as configurations
        inner join {{ ref('int_pruning_chosen_policies') }} as chosen
            on {{ graphlets.same_policy('configurations', 'chosen') }}
        where chosen.policy_name = 'guarded_model'
    )
{%- endset -%}
{{ graphlets.guarded_replay(chosen_configuration, [
    'configuration_id', 'graphlet_id', 'pipeline_name', 'period', 'deployed_push_ms',
    'expected_push_sum', 'expected_lost_sum', 'decision_reason'
]) }}
