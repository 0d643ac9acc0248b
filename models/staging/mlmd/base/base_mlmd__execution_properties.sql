{#- A cost property (var `cost_properties`) must hold a number; text there is set aside,
    not passed over for the next cost rule. -#}
{%- set cost_names = "'" ~ var('cost_properties') | join("', '") ~ "'" -%}
{{ graphlets.base_mlmd_properties('ExecutionProperty', 'execution', [
    ('property_name in (' ~ cost_names ~ ') and string_value is not null',
     'cost property holding text, not a number'),
]) }}
