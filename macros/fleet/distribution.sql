{#- The quantiles every stored distribution keeps: 0, 5%, 10%, ..., 100%. -#}
{% macro distribution_quantiles() %}
    {{ return([0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5,
               0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0]) }}
{% endmacro %}

{#- A select over `relation` (columns metric, metric_value; one row per observation)
    that returns one row per (metric, quantile): metric, bucket ('p00'..'p100'), quantile,
    metric_value (linear interpolation), observation_count and mean_value. Null values
    are not observations; a metric with no observation has no rows. -#}
{% macro distribution_rows(relation) %}
    {%- set quantiles = graphlets.distribution_quantiles() -%}
    select
        aggregated.metric,
        quantiles.bucket,
        quantiles.quantile,
        case quantiles.bucket
            {%- for q in quantiles %}
            when '{{ "p%02d" % (q * 100) | round | int }}' then aggregated.q_{{ loop.index0 }}
            {%- endfor %}
        end as metric_value,
        aggregated.observation_count,
        aggregated.mean_value
    from (
        select
            metric,
            count(*) as observation_count,
            avg(metric_value) as mean_value,
            {%- for q in quantiles %}
            {{ graphlets.percentile_cont('metric_value', q) }} as q_{{ loop.index0 }}
            {{- ',' if not loop.last }}
            {%- endfor %}
        from {{ relation }}
        where metric_value is not null
        group by metric
    ) as aggregated
    cross join (
        {%- for q in quantiles %}
        select '{{ "p%02d" % (q * 100) | round | int }}' as bucket, {{ q }} as quantile
        {%- if not loop.last %} union all{% endif %}
        {%- endfor %}
    ) as quantiles
{% endmacro %}
