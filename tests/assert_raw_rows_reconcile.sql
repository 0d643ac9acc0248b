-- Every raw row is staged, quarantined, or after `as_of`: nothing vanishes.
select * from {{ ref('rpt_raw_reconciliation') }}
where not is_reconciled
