{#- Join condition: two rows describe the same pruning policy configuration (policy,
    threshold, age bound multiplier, loss cap; a setting a policy has not is null on
    both sides, hence null-safe equality). -#}
{% macro same_policy(left, right) -%}
    {{ left }}.policy_name = {{ right }}.policy_name
    {%- for column in ['threshold', 'age_bound_multiplier', 'pipeline_loss_cap'] %}
    and {{ left }}.{{ column }} is not distinct from {{ right }}.{{ column }}
    {%- endfor %}
{%- endmacro %}
