{#- The guarded model policy's decision on every graphlet, for every guarded
    configuration of int_pruning_configurations (threshold 0.00..1.00 by 0.05, times
    each age bound multiplier of the var `age_bound_multipliers`), replayed over time
    one graphlet at a time per pipeline (the recursive macro guarded_replay). Narrow on
    purpose: configuration, graphlet and reason, 47 M rows at the study's scale; what
    the headline configuration's decisions knew is rebuilt from them in
    int_pruning_chosen_decisions.

    A graphlet whose `predicted_push_probability < threshold` is pruned unless a guard
    keeps it:
    - age guard: the pipeline's deployed model (the latest push of a graphlet the policy
      kept that landed before this decision) is missing or older than the multiplier
      times the pipeline's `age_bound_hours` (int_pruning_freshness_bounds);
    - loss cap: pruning it would raise the pipeline's expected lost share of pushes in
      this period (the predicted push probabilities of its pruned graphlets over those
      of all its graphlets decided so far, this one included) above the var
      `pipeline_loss_cap` (0.25, half the headline's bound on any pipeline's loss:
      the actual loss scatters around the expected one).
    Only what is known at `decided_at` enters a decision: predictions, the bound (from
    pushes before the cutoff), the policy's own earlier decisions and the pushes of kept
    graphlets that landed before it; never whether this or a later graphlet pushes.
    Pushes of kept graphlets still running at a decision wait in `pending_push_ms`. -#}
{%- set guarded_configurations -%}
(select * from {{ ref('int_pruning_configurations') }} where policy_name = 'guarded_model')
{%- endset -%}
{{ graphlets.guarded_replay(
    guarded_configurations, ['configuration_id', 'graphlet_id', 'decision_reason']) }}
