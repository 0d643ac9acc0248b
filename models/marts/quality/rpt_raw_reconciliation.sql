{#- Per raw table: rows read, rows staged, rows quarantined, rows after `as_of`.
    A data test asserts read = staged + quarantined + after_as_of. -#}
with

quarantined as (
    select source_table, count(*) as quarantined_rows
    from {{ ref('fct_quarantined_rows') }}
    group by source_table
),

{% for entry in graphlets.mlmd_raw_tables() %}
counts_{{ loop.index }} as (
    select
        '{{ entry.table }}' as source_table,
        (select count(*) from {{ source('mlmd', entry.table) }}) as raw_rows,
        (
            select cast(coalesce({{ entry.get('staged_rows', 'count(*)') }}, 0) as bigint)
            from {{ ref(entry.staged) }}
        ) as staged_rows,
        (
            select count(*) from {{ ref(entry.base) }}
            where quarantine_reason is null and is_after_as_of
        ) as after_as_of_rows
),
{% endfor %}

counted as (
    {% for entry in graphlets.mlmd_raw_tables() %}
    select * from counts_{{ loop.index }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        counted.source_table,
        counted.raw_rows,
        counted.staged_rows,
        coalesce(quarantined.quarantined_rows, 0) as quarantined_rows,
        counted.after_as_of_rows,
        counted.raw_rows = counted.staged_rows + coalesce(quarantined.quarantined_rows, 0)
        + counted.after_as_of_rows as is_reconciled
    from counted
    left join quarantined on counted.source_table = quarantined.source_table
)

select * from final
