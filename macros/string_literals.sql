{#- A Jinja list of names as a comma-separated list of SQL string literals, for `in (...)`. -#}
{% macro string_literals(names) -%}
    {%- for name in names %}'{{ name }}'{{ ', ' if not loop.last }}{% endfor -%}
{%- endmacro %}
