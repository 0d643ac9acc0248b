"""The freshness guards of the pruning policy (issue 14) on a hand-made fleet.

Six busy pipelines push whenever a run reads a new span (two runs in three) and never
otherwise; one rare pipeline reads a new span every run but pushes only every 4-8 runs.
The predictor learns that the rare pipeline's runs seldom push, and its pushes are under
5% of the fleet's, so the unguarded policy's threshold (the largest losing at most 5% of
training pushes) prunes all of them: the rare pipeline stops deploying. The guarded
headline policy must keep it fresh. Also here: the replay is checked against a plain
Python replay that reads, for each decision, only what was known at its `decided_at`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import duckdb
import pytest
from conftest import build
from mlmd_builder import MLMDBuilder, art

from graphlets.paths import DataDir

T0 = 1_704_067_200_000  # 2024-01-01T00:00:00Z
MINUTE = 60_000
HOUR = 60 * MINUTE
RUNS = 150
RUN_EVERY_HOURS = 6
BUSY_PIPELINES = 6
RARE = "rare"
# Runs between the rare pipeline's pushes, in turn: irregular, 6 on average.
RARE_PUSH_GAPS = [4, 6, 8, 6]


def _run(b: MLMDBuilder, pipeline: str, hour: float, span: int, is_pushed: bool) -> None:
    """ExampleGen (the decision point is its end) -> Trainer -> Pusher."""
    run = b.run(pipeline)
    start = T0 + int(hour * HOUR)
    _, out = b.execution(
        "CsvExampleGen",
        run=run,
        start=start,
        end=start + 10 * MINUTE,
        cost=10.0,
        outputs={"examples": [art("Examples", span=span)]},
    )
    _, out = b.execution(
        "Trainer",
        run=run,
        start=start + 20 * MINUTE,
        end=start + 50 * MINUTE,
        cost=100.0,
        inputs={"examples": out["examples"]},
        outputs={"model": ["Model"]},
    )
    b.execution(
        "Pusher",
        run=run,
        start=start + 60 * MINUTE,
        end=start + 65 * MINUTE,
        cost=1.0,
        inputs={"model": out["model"]},
        outputs={"pushed_model": [art("PushedModel", pushed=int(is_pushed))]},
    )


def _fleet() -> MLMDBuilder:
    b = MLMDBuilder()
    draw = random.Random(0)
    for p in range(BUSY_PIPELINES):
        span = 0
        for i in range(RUNS):
            is_new_data = draw.random() < 2 / 3
            span += is_new_data
            _run(b, f"busy_{p}", i * RUN_EVERY_HOURS + p * 0.5, span, is_new_data)
    next_push, gap = RARE_PUSH_GAPS[0], 0
    for i in range(RUNS):
        is_pushed = i == next_push
        if is_pushed:
            gap += 1
            next_push += RARE_PUSH_GAPS[gap % len(RARE_PUSH_GAPS)]
        _run(b, RARE, i * RUN_EVERY_HOURS + 3.25, i + 1, is_pushed)
    return b


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[duckdb.DuckDBPyConnection]:
    data = DataDir(tmp_path_factory.mktemp("guard_fleet"))
    _fleet().write(data.raw)
    build(
        data,
        None,
        "--select",
        "+rpt_pruning_headline",
        "+rpt_pruning_pipeline_impact",
        "+fct_graphlet_pruning_decisions",
        "+fct_graphlets",
        "--indirect-selection",
        "cautious",
    )
    with duckdb.connect(str(data.warehouse), read_only=True) as con:
        yield con


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_unguarded_policy_starves_the_rare_pipeline_and_the_guards_keep_it_fresh(fleet):
    (headline,) = _rows(fleet, "select * from marts.rpt_pruning_headline")
    assert headline["backtest_status"] == "backtested"
    assert headline["model_name"] == "HistGradientBoostingClassifier"
    impact = {
        r["pipeline_name"]: r
        for r in _rows(fleet, "select * from marts.rpt_pruning_pipeline_impact")
    }
    rare = impact[RARE]
    # Without guards the rare pipeline loses most of its evaluation pushes.
    assert rare["push_count_unpruned"] >= 4, rare
    assert rare["unguarded_pushes_lost_share"] > headline["max_pipeline_push_loss"], rare
    assert headline["unguarded_starved_pipeline_count"] >= 1, headline
    # With them it keeps deploying, and its model stays younger than unguarded.
    assert not rare["is_starved"], rare
    assert rare["push_count"] >= 2, rare
    assert rare["mean_deployed_model_age_hours"] < rare["unguarded_mean_deployed_model_age_hours"]
    assert rare["max_deployed_model_age_hours"] < rare["unguarded_max_deployed_model_age_hours"]
    # ... by the guards: some of its below-threshold graphlets are kept by them.
    reasons = dict(
        fleet.execute(
            "select decision_reason, count(*) from marts.fct_graphlet_pruning_decisions "
            "where pipeline_name = ? and period = 'evaluation' group by all",
            [RARE],
        ).fetchall()
    )
    assert reasons.get("kept_by_age_guard", 0) + reasons.get("kept_by_loss_cap", 0) > 0, reasons
    assert reasons.get("pruned_below_threshold", 0) > 0, reasons
    # Fleet-wide: no pipeline starves, the model ages less than unguarded, and the
    # policy still prunes. (The age constraint itself is not met here: on training the
    # rare pipeline's runs scored above the threshold, so training chose a looser age
    # bound than its evaluation period needs; the headline reports it as not met.)
    assert headline["is_pipeline_loss_met"] and headline["starved_pipeline_count"] == 0
    assert headline["is_push_loss_met"], headline
    assert (
        headline["mean_deployed_model_age_increase"]
        < headline["unguarded_mean_deployed_model_age_increase"]
    ), headline
    assert headline["is_within_all_constraints"] == (
        headline["mean_deployed_model_age_increase"] <= headline["max_age_increase"]
    )
    assert headline["waste_avoided_share"] > 0.3, headline


def _replay_in_python(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    """The guarded policy at the headline's configuration, one decision at a time per
    pipeline, each reading only what is known at its decided_at: its own prediction,
    its pipeline's bound and the pushes of earlier kept graphlets that landed before."""
    (config,) = _rows(
        con,
        "select * from intermediate.int_pruning_chosen_policies "
        "where policy_name = 'guarded_model'",
    )
    bounds = dict(
        con.execute(
            "select pipeline_name, age_bound_hours from intermediate.int_pruning_freshness_bounds"
        ).fetchall()
    )
    graphlets = _rows(
        con,
        """
        select graphlet_id, pipeline_name, period, decided_at_ms, predicted_push_probability,
            coalesce(is_pushed, false) as is_pushed, pushed_at_ms
        from marts.fct_graphlet_push_predictions
        order by pipeline_name, decided_at_ms, graphlet_id""",
    )
    reasons: dict[int, str] = {}
    kept_pushes: list[int] = []
    pipeline = period = None
    expected = lost = 0.0
    for g in graphlets:
        if g["pipeline_name"] != pipeline:
            pipeline, kept_pushes, period = g["pipeline_name"], [], None
        if g["period"] != period:
            expected = lost = 0.0
        period = g["period"]
        p = g["predicted_push_probability"]
        expected += p
        landed = [at for at in kept_pushes if at < g["decided_at_ms"]]
        bound = bounds[pipeline] * config["age_bound_multiplier"]
        if p >= config["threshold"]:
            reason = "kept_above_threshold"
        elif not landed or (g["decided_at_ms"] - max(landed)) / HOUR > bound:
            reason = "kept_by_age_guard"
        elif lost + p > config["pipeline_loss_cap"] * expected + 1e-9:
            reason = "kept_by_loss_cap"
        else:
            reason = "pruned_below_threshold"
            lost += p
        if reason != "pruned_below_threshold" and g["is_pushed"]:
            kept_pushes.append(g["pushed_at_ms"])
        reasons[g["graphlet_id"]] = reason
    return reasons


def test_guarded_decisions_read_only_what_is_known_at_the_decision(fleet):
    """The SQL replay agrees with a replay that cannot look ahead; and every guard input
    in the decisions mart is known at decided_at."""
    sql = dict(
        fleet.execute(
            "select graphlet_id, decision_reason from marts.fct_graphlet_pruning_decisions"
        ).fetchall()
    )
    assert sql == _replay_in_python(fleet)
    late = fleet.execute("""
        select count(*) from marts.fct_graphlet_pruning_decisions
        where deployed_model_age_hours <= 0""").fetchone()[0]
    assert late == 0
    # The age bounds come from pushes that landed before the cutoff, i.e. before every
    # evaluation decision.
    (cutoff,) = fleet.execute("select cutoff_at_ms from intermediate.int_pruning_cutoff").fetchone()
    counted, before_cutoff = fleet.execute(f"""
        with gaps as (
            select pipeline_name, count(*) - 1 as gap_count
            from marts.fct_graphlets
            where outcome = 'pushed' and pushed_at_ms < {cutoff}
            group by pipeline_name
        )
        select sum(bounds.training_push_gap_count), sum(greatest(gaps.gap_count, 0))
        from intermediate.int_pruning_freshness_bounds as bounds
        inner join gaps on bounds.pipeline_name = gaps.pipeline_name""").fetchone()
    assert counted == before_cutoff > 0
