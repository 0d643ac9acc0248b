{#- Whether a property describes an execution's configuration: neither a cost property
    (the var `cost_properties`) nor an internal one (a name starting with `__`, which
    TFX and MLMD keep for themselves). Change of code or configuration (waste causes) and
    the recomputation key without cache contexts both compare these. `!` escapes the
    LIKE wildcards, as every engine accepts it. -#}
{% macro is_configuration_property(name_column) %}
    (
        {{ name_column }} not like '!_!_%' escape '!'
        and {{ name_column }} not in (
            {{- graphlets.string_literals(var('cost_properties')) -}}
        )
    )
{% endmacro %}
