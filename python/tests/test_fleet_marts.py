"""Fleet characterization marts (definitions §5) against answers computed by hand from
the fixture's truth file (tfx_small.truth.json), never from the marts themselves."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import STORE, build

from graphlets.ingest import ingest_sqlite
from graphlets.paths import DataDir

QUANTILES = [i / 20 for i in range(21)]


def linear_quantile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (the definition the marts document)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def executions_by_id(truth: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {e["id"]: e for e in truth["executions"]}


def push_times(truth: dict[str, Any]) -> dict[int, int]:
    """Pushed graphlet -> end of its completed deployment (the Pusher that pushed)."""
    by_id = executions_by_id(truth)
    times = {}
    for g in truth["graphlets"]:
        if g["outcome"] != "pushed":
            continue
        ends = [
            by_id[e]["end_ms"]
            for e in g["downstream_executions"]
            if by_id[e]["category"] == "deployment" and by_id[e]["state"] == "COMPLETE"
        ]
        times[g["trainer_execution_id"]] = min(ends)
    return times


def test_dim_pipelines(warehouse: duckdb.DuckDBPyConnection, truth: dict[str, Any]) -> None:
    got = {r["pipeline_name"]: r for r in rows(warehouse, "select * from marts.dim_pipelines")}
    assert set(got) == set(truth["by_pipeline"])
    for pipeline, totals in truth["by_pipeline"].items():
        execs = [e for e in truth["executions"] if e["pipeline"] == pipeline]
        graphlets = [g for g in truth["graphlets"] if g["pipeline"] == pipeline]
        first = min(e["start_ms"] for e in execs)
        last = max(e["end_ms"] if e["end_ms"] is not None else e["start_ms"] for e in execs)
        days = {dt.datetime.fromtimestamp(e["start_ms"] / 1000, dt.UTC).date() for e in execs}
        row = got[pipeline]
        assert row["first_activity_at_ms"] == first
        assert row["last_activity_at_ms"] == last
        assert row["lifespan_days"] == pytest.approx((last - first) / 86_400_000)
        assert row["active_days"] == len(days)
        assert row["run_count"] == len({e["run"] for e in execs if e["run"]})
        assert row["execution_count"] == totals["executions"] == len(execs)
        assert row["graphlet_count"] == totals["graphlets"]
        assert row["models_trained"] == sum(1 for g in graphlets if g["model_artifact_id"])
        pushes = totals["graphlets_by_outcome"].get("pushed", 0)
        pending = totals["graphlets_by_outcome"].get("pending", 0)
        assert row["push_count"] == pushes
        assert row["pending_graphlet_count"] == pending
        assert row["push_rate"] == pytest.approx(pushes / (len(graphlets) - pending))
        weeks = max((last - first) / 86_400_000, 7.0) / 7
        assert row["trainings_per_week"] == pytest.approx(len(graphlets) / weeks)
        assert row["total_cost"] == pytest.approx(totals["total_cost"], abs=1e-3)
        assert row["wasted_cost"] == pytest.approx(totals["wasted_cost"], abs=1e-3)
        assert row["waste_share"] == pytest.approx(totals["waste_share"], abs=5e-4)
        # The fixture records neither a model type nor a feature count.
        assert row["model_type"] is None and row["feature_count"] is None
        assert row["model_type_count"] == 0


def test_training_cadence(warehouse: duckdb.DuckDBPyConnection, truth: dict[str, Any]) -> None:
    got = {
        r["cadence_event_id"]: r
        for r in rows(warehouse, "select * from marts.fct_training_cadence")
    }
    pushed_at = push_times(truth)
    expected: dict[str, tuple[int, float | None, int]] = {}
    for pipeline in truth["by_pipeline"]:
        graphlets = [g for g in truth["graphlets"] if g["pipeline"] == pipeline]
        for kind, events in (
            ("training", [(g["trained_at_ms"], g["trainer_execution_id"]) for g in graphlets]),
            (
                "push",
                [
                    (pushed_at[g["trainer_execution_id"]], g["trainer_execution_id"])
                    for g in graphlets
                    if g["outcome"] == "pushed"
                ],
            ),
        ):
            previous = None
            for number, (at, gid) in enumerate(sorted(events), start=1):
                gap = None if previous is None else (at - previous) / 3_600_000
                expected[f"{kind}:{gid}"] = (at, gap, number)
                previous = at
    assert set(got) == set(expected)
    assert sum(1 for k in got if k.startswith("push:")) == truth["fleet"]["pushed_graphlets"]
    for key, (at, gap, number) in expected.items():
        assert got[key]["event_at_ms"] == at, key
        assert got[key]["event_number"] == number, key
        if gap is None:
            assert got[key]["gap_hours"] is None, key
        else:
            assert got[key]["gap_hours"] == pytest.approx(gap), key
    # taxi run 3 failed and run 4 retried three hours later: the shortest training gap.
    assert got["training:48"]["previous_graphlet_id"] == 41
    assert got["training:48"]["gap_hours"] < 5


def test_operator_profile(warehouse: duckdb.DuckDBPyConnection, truth: dict[str, Any]) -> None:
    got = {r["profile_id"]: r for r in rows(warehouse, "select * from marts.fct_operator_profile")}
    fleet_cost = sum(e["cost"] for e in truth["executions"])
    fleet_waste = sum(e["cost"] for e in truth["executions"] if e["waste_status"] == "wasted")
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in truth["executions"]:
        groups[f"category:{e['category']}"].append(e)
        groups[f"execution_type:{e['type']}"].append(e)
    assert set(got) == set(groups)
    for key, execs in groups.items():
        row = got[key]
        ran = [e for e in execs if e["state"] != "CACHED"]
        cached = len(execs) - len(ran)
        failed = sum(1 for e in execs if e["state"] == "FAILED")
        cost = sum(e["cost"] for e in execs)
        wasted = sum(e["cost"] for e in execs if e["waste_status"] == "wasted")
        pending = sum(e["cost"] for e in execs if e["waste_status"] == "pending")
        assert row["run_count"] == len(execs), key
        assert row["cached_count"] == cached, key
        assert row["failed_count"] == failed, key
        assert row["cache_hit_rate"] == pytest.approx(cached / len(execs)), key
        assert row["failure_rate"] == (pytest.approx(failed / len(ran)) if ran else None), key
        assert row["total_cost"] == pytest.approx(cost, abs=1e-3), key
        assert row["cost_share"] == pytest.approx(cost / fleet_cost), key
        assert row["wasted_cost"] == pytest.approx(wasted, abs=1e-3), key
        assert row["share_of_fleet_waste"] == pytest.approx(wasted / fleet_waste), key
        if cost - pending > 0:
            assert row["waste_share"] == pytest.approx(wasted / (cost - pending)), key
        else:
            assert row["waste_share"] is None, key
    assert sum(r["cost_share"] for r in got.values() if r["profile_level"] == "category") == (
        pytest.approx(1.0)
    )
    for category, totals in truth["by_category"].items():
        assert got[f"category:{category}"]["total_cost"] == pytest.approx(
            totals["total_cost"], abs=1e-3
        )


def _profile(con: duckdb.DuckDBPyConnection, table: str) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["metric"], r["bucket"]): r for r in rows(con, f"select * from marts.{table}")}


def _check_quantiles(
    got: dict[tuple[str, str], dict[str, Any]], metric: str, values: list[float]
) -> None:
    """The truth file rounds shares and costs to 3 decimals: compare to 1e-3."""
    assert values, metric
    for q in QUANTILES:
        row = got[(metric, f"p{round(q * 100):02d}")]
        assert row["quantile"] == pytest.approx(q)
        assert row["metric_value"] == pytest.approx(linear_quantile(values, q), abs=1e-3), (
            metric,
            q,
        )
        assert row["observation_count"] == len(values), metric
        assert row["mean_value"] == pytest.approx(sum(values) / len(values), abs=1e-3), metric


def test_graphlet_profile(warehouse: duckdb.DuckDBPyConnection, truth: dict[str, Any]) -> None:
    got = _profile(warehouse, "rpt_graphlet_profile")
    graphlets = truth["graphlets"]
    n = len(graphlets)
    pushed_at = push_times(truth)
    _check_quantiles(
        got,
        "node_count",
        [g["member_counts"]["executions"] + g["member_counts"]["artifacts"] for g in graphlets],
    )
    _check_quantiles(got, "execution_count", [g["member_counts"]["executions"] for g in graphlets])
    _check_quantiles(got, "span_count", [g["spans_read"]["count"] for g in graphlets])
    _check_quantiles(got, "new_span_count", [g["new_span_count"] for g in graphlets])
    _check_quantiles(
        got, "span_overlap", [g["span_overlap"] for g in graphlets if g["span_overlap"] is not None]
    )
    _check_quantiles(got, "cost", [g["cost"] for g in graphlets])
    _check_quantiles(
        got,
        "hours_decision_to_push",
        [
            (pushed_at[g["trainer_execution_id"]] - g["decided_at_ms"]) / 3_600_000
            for g in graphlets
            if g["outcome"] == "pushed"
        ],
    )
    for outcome, count in truth["fleet"]["graphlets_by_outcome"].items():
        row = got[("outcome", outcome)]
        assert row["distribution_kind"] == "share"
        assert row["observation_count"] == count
        assert row["metric_value"] == pytest.approx(count / n)
    warm = sum(1 for g in graphlets if g["is_warm_started"])
    assert got[("warm_start", "warm_started")]["metric_value"] == pytest.approx(warm / n)
    assert got[("warm_start", "cold_started")]["metric_value"] == pytest.approx((n - warm) / n)
    mix: dict[str, int] = defaultdict(int)
    for g in graphlets:
        for category, count in g["member_counts"]["by_category"].items():
            mix[category] += count
    total = sum(mix.values())
    for category, count in mix.items():
        assert got[("category_mix", category)]["observation_count"] == count
        assert got[("category_mix", category)]["metric_value"] == pytest.approx(count / total)
    members = {e["id"]: e for e in truth["executions"] if e["graphlets"]}
    member_cost = sum(e["cost"] for e in members.values())
    by_category: dict[str, float] = defaultdict(float)
    for e in members.values():
        by_category[e["category"]] += e["cost"]
    for category, cost in by_category.items():
        assert got[("category_cost_share", category)]["metric_value"] == pytest.approx(
            cost / member_cost
        )


def test_fleet_distributions(warehouse: duckdb.DuckDBPyConnection, truth: dict[str, Any]) -> None:
    got = _profile(warehouse, "rpt_fleet_distributions")
    lifespans, models, gaps = [], [], []
    for pipeline in truth["by_pipeline"]:
        execs = [e for e in truth["executions"] if e["pipeline"] == pipeline]
        first = min(e["start_ms"] for e in execs)
        last = max(e["end_ms"] if e["end_ms"] is not None else e["start_ms"] for e in execs)
        lifespans.append((last - first) / 86_400_000)
        graphlets = [g for g in truth["graphlets"] if g["pipeline"] == pipeline]
        models.append(sum(1 for g in graphlets if g["model_artifact_id"]))
        starts = sorted(g["trained_at_ms"] for g in graphlets)
        gaps += [(b - a) / 3_600_000 for a, b in zip(starts, starts[1:], strict=False)]
    _check_quantiles(got, "lifespan_days", lifespans)
    _check_quantiles(got, "models_trained", [float(m) for m in models])
    _check_quantiles(got, "training_gap_hours", gaps)
    assert got[("training_gap_hours", "p00")]["observation_unit"] == "pipeline_gap"


def test_fleet_summary(warehouse: duckdb.DuckDBPyConnection, truth: dict[str, Any]) -> None:
    (row,) = rows(warehouse, "select * from marts.rpt_fleet_summary")
    fleet = truth["fleet"]
    outcomes = fleet["graphlets_by_outcome"]
    decided = fleet["graphlets"] - outcomes["pending"]
    assert row["as_of"] is None
    assert row["pipeline_count"] == fleet["pipelines"]
    assert row["run_count"] == fleet["runs"]
    assert row["execution_count"] == fleet["executions"]
    assert row["graphlet_count"] == fleet["graphlets"]
    assert row["pushed_graphlet_count"] == fleet["pushed_graphlets"]
    assert row["pending_graphlet_count"] == outcomes["pending"]
    assert row["failed_training_count"] == outcomes["training_failed"]
    assert row["no_push_share"] == pytest.approx((decided - fleet["pushed_graphlets"]) / decided)
    assert row["truncated_graphlet_count"] == fleet["truncated_graphlets"]
    assert row["orphan_execution_count"] == fleet["orphan_executions"]
    assert row["cache_hit_rate"] == pytest.approx(fleet["cache_hits"] / fleet["executions"])
    assert row["total_cost"] == pytest.approx(fleet["total_cost"], abs=1e-3)
    assert row["wasted_cost"] == pytest.approx(fleet["wasted_cost"], abs=1e-3)
    assert row["pending_cost"] == pytest.approx(fleet["pending_cost"], abs=1e-3)
    assert row["waste_share"] == pytest.approx(fleet["waste_share"], abs=5e-4)
    assert row["quarantined_row_count"] == 0
    warm = sum(1 for g in truth["graphlets"] if g["is_warm_started"])
    assert row["warm_start_share"] == pytest.approx(warm / fleet["graphlets"])


@pytest.fixture(scope="module")
def recorded_store(tmp_path_factory: pytest.TempPathFactory, truth: dict[str, Any]) -> DataDir:
    """The fixture store plus a model type on two taxi trainers and a feature count on
    two taxi models (graphlet 7 early, graphlet 98 late)."""
    root = tmp_path_factory.mktemp("recorded")
    store = Path(root) / "store.sqlite"
    shutil.copy(STORE, store)
    models = {g["trainer_execution_id"]: g["model_artifact_id"] for g in truth["graphlets"]}
    with sqlite3.connect(store) as con:
        con.executemany(
            "insert into ExecutionProperty (execution_id, name, is_custom_property, string_value)"
            " values (?, 'model_type', 1, ?)",
            [(7, "wide_and_deep"), (98, "dnn")],
        )
        con.executemany(
            "insert into ArtifactProperty (artifact_id, name, is_custom_property, int_value)"
            " values (?, 'feature_count', 1, ?)",
            [(models[7], 7), (models[98], 42)],
        )
    data = DataDir(Path(root) / "data")
    ingest_sqlite(store, data.raw)
    build(data, None, "--select", "+dim_pipelines", "--indirect-selection", "cautious")
    return data


def test_dim_pipelines_records_model_type_and_features(recorded_store: DataDir) -> None:
    with duckdb.connect(str(recorded_store.warehouse), read_only=True) as con:
        got = {
            r["pipeline_name"]: r
            for r in rows(
                con,
                "select pipeline_name, model_type, model_type_count, feature_count "
                "from marts.dim_pipelines",
            )
        }
    # The latest graphlet that records one wins: taxi's graphlet 98.
    assert got["taxi"]["model_type"] == "dnn"
    assert got["taxi"]["model_type_count"] == 2
    assert got["taxi"]["feature_count"] == 42
    assert got["penguin"]["model_type"] is None
    assert got["penguin"]["feature_count"] is None
