{#- Every listed column in one test: one test node per model instead of one per column
    (a build runs hundreds of tests, and each node costs dbt tens of milliseconds even
    on an empty table). One row per column that holds nulls, naming it and counting its
    null rows. Each column is its own filtered count, not one aggregate over every
    column, so the engine can skip the row groups whose statistics hold no nulls. -#}
{% test not_null_columns(model, column_names) %}
{%- for column in column_names %}
select '{{ column }}' as column_name, count(*) as null_rows
from {{ model }}
where {{ column }} is null
having count(*) > 0
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
{% endtest %}
