{#- Fails with each combination of the columns that repeats, and how often. Where the
    first column is an integer and the others take few values (a property's owner,
    name and kind), a bitmap per combination of the others proves the whole key
    unique first (`integers_proven_unique`), and the grouping then reads no row. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
{%- set proof = graphlets.integers_proven_unique(
    model, combination_of_columns[0], partition_by=combination_of_columns[1:]) %}
select {{ combination_of_columns | join(', ') }}, count(*) as occurrences
from {{ model }}
{%- if proof %}
where not {{ proof }}
{%- endif %}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}
