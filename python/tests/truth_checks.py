"""Comparisons of a built warehouse with a truth file (`*.truth.json`, one layout for every
real store): shared by the tests of each store."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import duckdb
import pytest

Truth = dict[str, Any]

TOLERANCE = 0.01  # the truth file rounds costs to three decimals


def check_graphlet_members(warehouse: duckdb.DuckDBPyConnection, truth: Truth) -> None:
    rows = warehouse.execute(
        "select graphlet_id, node_kind, mlmd_id, member_role from marts.fct_graphlet_members"
    ).fetchall()
    members: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for graphlet_id, kind, mlmd_id, role in rows:
        members[graphlet_id][kind].add(mlmd_id)
        if kind == "execution":
            members[graphlet_id][role].add(mlmd_id)
    assert set(members) == {g["trainer_execution_id"] for g in truth["graphlets"]}
    for expected in truth["graphlets"]:
        got = members[expected["trainer_execution_id"]]
        assert got["execution"] == set(expected["members"]["executions"])
        assert got["artifact"] == set(expected["members"]["artifacts"])
        assert got["upstream"] == set(expected["upstream_executions"])
        assert got["downstream"] == set(expected["downstream_executions"])
        assert got["side"] == set(expected["side_branch_executions"])


def check_graphlet_attributes(warehouse: duckdb.DuckDBPyConnection, truth: Truth) -> None:
    frame = warehouse.execute("select * from marts.fct_graphlets").df().set_index("graphlet_id")
    for expected in truth["graphlets"]:
        row = frame.loc[expected["trainer_execution_id"]]
        assert row.pipeline_name == expected["pipeline"]
        assert row.run_name == expected["run"]
        assert row.trainer_state == expected["trainer_state"]
        assert row.outcome == expected["outcome"]
        assert row.trained_at_ms == expected["trained_at_ms"]
        assert row.decided_at_ms == expected["decided_at_ms"]
        assert row.finished_at_ms == expected["finished_at_ms"]
        model = None if row.isna()["model_artifact_id"] else int(row.model_artifact_id)
        assert model == expected["model_artifact_id"]
        assert list(row.spans if row.spans is not None else []) == expected["spans_read"]["list"]
        assert row.span_count == expected["spans_read"]["count"]
        assert row.new_span_count == expected["new_span_count"]
        overlap = None if row.isna()["span_overlap"] else round(row.span_overlap, 3)
        assert overlap == expected["span_overlap"]
        previous = None if row.isna()["previous_graphlet_id"] else int(row.previous_graphlet_id)
        assert previous == expected["previous_graphlet"]
        assert bool(row.is_warm_started) == expected["is_warm_started"]
        assert row.external_input_count == len(expected["external_inputs"])
        assert row.execution_count == expected["member_counts"]["executions"]
        assert row.artifact_count == expected["member_counts"]["artifacts"]
        for category, count in expected["member_counts"]["by_category"].items():
            assert row[f"{category}_execution_count"] == count, category
        assert row.cost == pytest.approx(expected["cost"], abs=TOLERANCE)
        assert row.allocated_cost == pytest.approx(expected["allocated_cost"], abs=TOLERANCE)
        assert bool(row.is_truncated) == expected["truncated"]


def check_external_inputs(warehouse: duckdb.DuckDBPyConnection, truth: Truth) -> None:
    got = {
        (graphlet, artifact, consumer, tuple(keys))
        for graphlet, artifact, consumer, keys in warehouse.execute(
            "select graphlet_id, artifact_id, consumer_execution_id, event_keys "
            "from marts.fct_graphlet_external_inputs"
        ).fetchall()
    }
    expected = {
        (g["trainer_execution_id"], e["artifact_id"], e["consumer_execution_id"], tuple(e["keys"]))
        for g in truth["graphlets"]
        for e in g["external_inputs"]
    }
    assert got == expected


def check_executions(warehouse: duckdb.DuckDBPyConnection, truth: Truth) -> None:
    frame = (
        warehouse.execute(
            "select e.*, w.waste_status, coalesce(w.graphlet_ids, []) as graphlet_ids "
            "from marts.fct_executions e join marts.fct_execution_waste w using (execution_id)"
        )
        .df()
        .set_index("execution_id")
    )
    assert len(frame) == truth["fleet"]["executions"]
    for expected in truth["executions"]:
        row = frame.loc[expected["id"]]
        assert row.execution_type == expected["type"]
        assert row.category == expected["category"]
        assert row.state == expected["state"]
        assert row.pipeline_name == expected["pipeline"]
        assert row.run_name == expected["run"]
        assert row.started_at_ms == expected["start_ms"]
        assert row.ended_at_ms == expected["end_ms"]
        assert row.cost == pytest.approx(expected["cost"], abs=TOLERANCE)
        assert row.cost_source == expected["cost_source"]
        assert row.waste_status == expected["waste_status"], expected["id"]
        assert sorted(row.graphlet_ids) == sorted(expected["graphlets"])


# (rpt_waste_breakdown.breakdown, the truth file's key)
BREAKDOWNS = [("pipeline", "by_pipeline"), ("category", "by_category"), ("month", "by_month")]


def check_waste_breakdown(
    warehouse: duckdb.DuckDBPyConnection, truth: Truth, breakdown: str, key: str
) -> None:
    rows = warehouse.execute(
        "select breakdown_value, execution_count, total_cost, productive_cost, pending_cost, "
        "wasted_cost, waste_share from marts.rpt_waste_breakdown where breakdown = ?",
        [breakdown],
    ).fetchall()
    got = {row[0]: row[1:] for row in rows}
    assert set(got) == set(truth[key])
    for value, expected in truth[key].items():
        count, total, productive, pending, wasted, share = got[value]
        assert count == expected["executions"]
        assert total == pytest.approx(expected["total_cost"], abs=TOLERANCE)
        assert productive == pytest.approx(expected["productive_cost"], abs=TOLERANCE)
        assert pending == pytest.approx(expected["pending_cost"], abs=TOLERANCE)
        assert wasted == pytest.approx(expected["wasted_cost"], abs=TOLERANCE)
        if expected["waste_share"] is None:
            assert share is None
        else:
            assert share == pytest.approx(expected["waste_share"], abs=0.0005)


def check_fleet_totals(warehouse: duckdb.DuckDBPyConnection, truth: Truth) -> None:
    fleet = truth["fleet"]
    total, wasted, pending, share = warehouse.execute(
        "select total_cost, wasted_cost, pending_cost, waste_share from marts.rpt_waste_breakdown "
        "where breakdown = 'fleet'"
    ).fetchone()
    assert total == pytest.approx(fleet["total_cost"], abs=TOLERANCE)
    assert wasted == pytest.approx(fleet["wasted_cost"], abs=TOLERANCE)
    assert pending == pytest.approx(fleet["pending_cost"], abs=TOLERANCE)
    assert share == pytest.approx(fleet["waste_share"], abs=0.0005)
    orphans = warehouse.execute(
        "select mlmd_id, cost from marts.fct_orphan_work where node_kind = 'execution'"
    ).fetchall()
    assert sorted(i for i, _ in orphans) == sorted(fleet["orphan_execution_ids"])
    assert sum(c for _, c in orphans) == pytest.approx(fleet["orphan_cost"], abs=TOLERANCE)
    hits, savings = warehouse.execute(
        "select count(*), sum(saved_cost) from marts.fct_cache_savings"
    ).fetchone()
    assert hits == fleet["cache_hits"]
    assert savings == pytest.approx(fleet["cache_savings"], abs=TOLERANCE)
    truncated = warehouse.execute("select count(*) from marts.fct_graphlets where is_truncated")
    assert truncated.fetchone()[0] == fleet["truncated_graphlets"]


def check_recomputation(warehouse: duckdb.DuckDBPyConnection, truth: Truth) -> None:
    rows = warehouse.execute(
        "select recomputation_key, key_source, original_execution_id, execution_id, "
        "recomputed_cost from marts.fct_recomputation"
    ).fetchall()
    expected = [
        (g["key"], g["key_source"], g["original"], recomputed, g["recomputed_cost"])
        for g in truth["recomputation_groups"]
        for recomputed in g["recomputed"]
    ]
    assert [r[:4] for r in rows] == [e[:4] for e in expected]
    assert sum(r[4] for r in rows) == pytest.approx(truth["fleet"]["recomputed_cost"], abs=0.01)
