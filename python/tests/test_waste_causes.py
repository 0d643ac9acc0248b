"""rpt_waste_causes on the fixture store, against shares computed by hand from the
truth file (definitions §3)."""

from __future__ import annotations

import pytest


def _row(warehouse, signal: str, value: str) -> dict:
    cursor = warehouse.execute(
        "select * from marts.rpt_waste_causes where cause_signal = ? and signal_value = ?",
        [signal, value],
    )
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchall()
    assert len(rows) == 1, (signal, value, rows)
    return dict(zip(names, rows[0], strict=True))


def _decided(truth) -> list[dict]:
    return [g for g in truth["graphlets"] if g["outcome"] != "pending"]


def test_no_new_data_shares_match_the_truth(warehouse, truth):
    graphlets = _decided(truth)
    pushed = [g for g in graphlets if g["outcome"] == "pushed"]
    not_pushed = [g for g in graphlets if g["outcome"] != "pushed"]
    share_pushed = sum(g["new_span_count"] == 0 for g in pushed) / len(pushed)
    share_not = sum(g["new_span_count"] == 0 for g in not_pushed) / len(not_pushed)
    row = _row(warehouse, "no_new_data", "true")
    # By hand: pushed 7, 19, 60, 71, 98 (71 read no new span); not pushed 30, 41, 48,
    # 82, 91 (48 re-read run 3's spans): 1/5 each, lift 1.
    assert (row["pushed_graphlet_count"], row["not_pushed_graphlet_count"]) == (5, 5)
    assert row["share_among_pushed"] == pytest.approx(share_pushed) == pytest.approx(0.2)
    assert row["share_among_not_pushed"] == pytest.approx(share_not) == pytest.approx(0.2)
    assert row["lift"] == pytest.approx(1.0)


def test_pending_graphlets_are_left_out(warehouse, truth):
    counts = warehouse.execute(
        "select distinct pushed_graphlet_count + not_pushed_graphlet_count "
        "from marts.rpt_waste_causes where cause_signal in ('no_new_data', 'time_since_last_push')"
    ).fetchall()
    assert counts == [(len(_decided(truth)),)]  # 10 of the 11: 116 is pending


def test_structure_and_code_change_skip_first_graphlets(warehouse, truth):
    graphlets = _decided(truth)
    with_previous = [g for g in graphlets if g["previous_graphlet"] is not None]
    pushed = sum(g["outcome"] == "pushed" for g in with_previous)
    for signal in ("structure_change", "code_change"):
        row = _row(warehouse, signal, "true")
        assert row["pushed_graphlet_count"] == pushed == 3  # 7 and 19 have no previous
        assert row["not_pushed_graphlet_count"] == len(with_previous) - pushed == 5
    # No trainer in the fixture changes its configuration.
    assert _row(warehouse, "code_change", "true")["not_pushed_with_signal_count"] == 0


def test_data_drift_reads_the_anomaly_counts(warehouse):
    # ExampleAnomalies.num_anomalies by graphlet (from the store): pushed 7:5, 19:1,
    # 60:5, 71:1, 98:1 -> all drifted; not pushed 30:2, 41:0, 48:0, 82:0, 91:5 -> 2/5.
    row = _row(warehouse, "data_drift", "true")
    assert row["share_among_pushed"] == pytest.approx(1.0)
    assert row["share_among_not_pushed"] == pytest.approx(0.4)
    assert row["lift"] == pytest.approx(0.4)


def test_time_since_last_push_buckets(warehouse, truth):
    rows = dict(
        warehouse.execute(
            "select signal_value, not_pushed_with_signal_count + pushed_with_signal_count "
            "from marts.rpt_waste_causes where cause_signal = 'time_since_last_push'"
        ).fetchall()
    )
    # 7 and 19 have no earlier push; 30 decided 164 h after 7's push; the rest 7-30 days.
    assert rows == {"no_earlier_push": 2, "1_to_7_days": 1, "7_to_30_days": 7}
    assert sum(rows.values()) == len(_decided(truth))
