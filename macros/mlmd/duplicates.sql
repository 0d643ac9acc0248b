{#- The file row numbers of rows that repeat an earlier row's key (file order):
    every copy after the first. An aggregate and a join, not a window over the
    whole table, so it stays cheap and spills on big stores. Given the raw table
    behind `relation`, a key proven unique first (`integers_proven_unique`: an integer
    first column, the others of few values) skips the aggregate: it reads no row. -#}
{% macro later_duplicate_rows(relation, key_columns, raw_relation=none) %}
    {%- set proof = graphlets.integers_proven_unique(
        relation, key_columns[0], raw_relation, key_columns[1:]) if raw_relation else none %}
    select repeated.file_row_number
    from {{ relation }} as repeated
    inner join (
        select
            {{ key_columns | join(', ') }},
            min(file_row_number) as first_row_number
        from {{ relation }}
        {%- if proof %}
        where not {{ proof }}
        {%- endif %}
        group by {{ key_columns | join(', ') }}
        having count(*) > 1
    ) as keys_seen_twice
        on {% for column in key_columns -%}
            repeated.{{ column }} = keys_seen_twice.{{ column }}
            {%- if not loop.last %} and {% endif %}
        {%- endfor %}
        and repeated.file_row_number > keys_seen_twice.first_row_number
{% endmacro %}
