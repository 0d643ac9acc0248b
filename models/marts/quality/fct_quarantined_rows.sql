{#- Every raw row that did not make it into staging, with the reason and the row
    itself; nothing a build sets aside vanishes. -#}
with

{% for entry in graphlets.mlmd_raw_tables() %}
{{ entry.base }} as (
    select
        '{{ entry.table }}' as source_table,
        source_row_number,
        quarantine_reason,
        {{ graphlets.row_as_json(entry.base) }} as raw_row
    from {{ ref(entry.base) }}
    where quarantine_reason is not null
),
{% endfor %}

unioned as (
    {% for entry in graphlets.mlmd_raw_tables() %}
    select * from {{ entry.base }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from unioned
