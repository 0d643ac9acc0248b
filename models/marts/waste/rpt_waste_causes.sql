{#- Why graphlets push nothing (definitions §3): for every cause signal and value, its
    share among graphlets that pushed and among those that did not (pending graphlets
    left out; a graphlet whose signal cannot be told, null, is left out of that signal's
    counts), and its lift: share among not pushed over share among pushed. A lift above
    1 means the signal is more common where the work was wasted. -#}
with

signals as (
    select * from {{ ref('int_graphlet_signals') }}
    where outcome <> 'pending'
),

unpivot_signals as (
    select
        graphlet_id,
        outcome,
        'data_drift' as cause_signal,
        cast(is_drifted as string) as signal_value
    from signals
    union all
    select
        graphlet_id,
        outcome,
        'structure_change' as cause_signal,
        cast(is_structure_changed as string) as signal_value
    from signals
    union all
    select
        graphlet_id,
        outcome,
        'code_change' as cause_signal,
        cast(is_code_changed as string) as signal_value
    from signals
    union all
    select
        graphlet_id,
        outcome,
        'no_new_data' as cause_signal,
        cast(is_no_new_data as string) as signal_value
    from signals
    union all
    select
        graphlet_id,
        outcome,
        'time_since_last_push' as cause_signal,
        time_since_last_push_bucket as signal_value
    from signals
),

count_known as (
    select
        cause_signal,
        count(*) filter (where outcome = 'pushed') as pushed_graphlet_count,
        count(*) filter (where outcome <> 'pushed') as not_pushed_graphlet_count
    from unpivot_signals
    where signal_value is not null
    group by cause_signal
),

list_values as (
    select cause_signal, 'true' as signal_value
    from count_known
    where cause_signal <> 'time_since_last_push'
    union all
    select distinct cause_signal, signal_value
    from unpivot_signals
    where cause_signal = 'time_since_last_push'
),

count_with_signal as (
    select
        cause_signal,
        signal_value,
        count(*) filter (where outcome = 'pushed') as pushed_with_signal_count,
        count(*) filter (where outcome <> 'pushed') as not_pushed_with_signal_count
    from unpivot_signals
    where signal_value is not null
    group by cause_signal, signal_value
),

compute_shares as (
    select
        list_values.cause_signal,
        list_values.signal_value,
        count_known.pushed_graphlet_count,
        count_known.not_pushed_graphlet_count,
        coalesce(count_with_signal.pushed_with_signal_count, 0) as pushed_with_signal_count,
        coalesce(count_with_signal.not_pushed_with_signal_count, 0)
            as not_pushed_with_signal_count
    from list_values
    inner join count_known on list_values.cause_signal = count_known.cause_signal
    left join count_with_signal
        on list_values.cause_signal = count_with_signal.cause_signal
        and list_values.signal_value = count_with_signal.signal_value
),

final as (
    select
        cause_signal,
        signal_value,
        pushed_graphlet_count,
        not_pushed_graphlet_count,
        pushed_with_signal_count,
        not_pushed_with_signal_count,
        case
            when pushed_graphlet_count > 0
                then cast(pushed_with_signal_count as double) / pushed_graphlet_count
        end as share_among_pushed,
        case
            when not_pushed_graphlet_count > 0
                then cast(not_pushed_with_signal_count as double) / not_pushed_graphlet_count
        end as share_among_not_pushed,
        case
            when pushed_graphlet_count > 0 and not_pushed_graphlet_count > 0
                and pushed_with_signal_count > 0
                then (cast(not_pushed_with_signal_count as double) / not_pushed_graphlet_count)
                    / (cast(pushed_with_signal_count as double) / pushed_graphlet_count)
        end as lift,
        case
            when pushed_with_signal_count + not_pushed_with_signal_count > 0
                then cast(not_pushed_with_signal_count as double)
                    / (pushed_with_signal_count + not_pushed_with_signal_count)
        end as not_pushed_rate_with_signal
    from compute_shares
)

select * from final
