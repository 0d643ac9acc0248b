{#- The operator categories (definitions §1) in pipeline order, each with its decision
    phase (definitions §4). This is the one place categories are defined: the seed
    `operator_categories` maps execution classes onto them, `int_operator_categories`
    materializes them, and every rule about a phase reads them from here. A new category
    also gets a `<category>_execution_count` column in the `fct_graphlets` contract.
    Phases: `data_side` work is done by a graphlet's decision point (`decided_at`);
    `prunable` work comes after it and is what pruning would skip; `bookkeeping` costs
    nothing; `other` is unmapped work. -#}
{% macro operator_categories() %}
    {{ return([
        {'category': 'ingestion', 'decision_phase': 'data_side'},
        {'category': 'data_analysis', 'decision_phase': 'data_side'},
        {'category': 'data_validation', 'decision_phase': 'data_side'},
        {'category': 'transform', 'decision_phase': 'prunable'},
        {'category': 'tuning', 'decision_phase': 'prunable'},
        {'category': 'training', 'decision_phase': 'prunable'},
        {'category': 'model_analysis', 'decision_phase': 'prunable'},
        {'category': 'model_validation', 'decision_phase': 'prunable'},
        {'category': 'deployment', 'decision_phase': 'prunable'},
        {'category': 'inference', 'decision_phase': 'prunable'},
        {'category': 'bookkeeping', 'decision_phase': 'bookkeeping'},
        {'category': 'other', 'decision_phase': 'other'},
    ]) }}
{% endmacro %}

{#- Category names in pipeline order. -#}
{% macro operator_category_list() %}
    {{ return(graphlets.operator_categories() | map(attribute='category') | list) }}
{% endmacro %}

{#- The categories of one decision phase, as a SQL list body: `'a', 'b'`. -#}
{% macro categories_in_phase(decision_phase) %}
    {%- set names = [] -%}
    {%- for row in graphlets.operator_categories() if row.decision_phase == decision_phase -%}
        {%- do names.append("'" ~ row.category ~ "'") -%}
    {%- endfor -%}
    {{- names | join(', ') -}}
{% endmacro %}
