{#- The operator categories of spec section 1, in pipeline order. -#}
{% macro operator_category_list() %}
    {{ return([
        'ingestion', 'data_analysis', 'data_validation', 'transform', 'tuning', 'training',
        'model_analysis', 'model_validation', 'deployment', 'inference', 'bookkeeping', 'other',
    ]) }}
{% endmacro %}
