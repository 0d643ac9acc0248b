"""Time travel (definitions §6): the marts built with `as_of` equal the marts built from
a store cut at that instant (rows created at or before it kept; executions updated after
it read as RUNNING with last_update = the instant, the documented reading)."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import duckdb
import pytest
from conftest import STORE, build

from graphlets.ingest import ingest_sqlite
from graphlets.paths import DataDir

EARLIER = "2024-02-05T07:30:00"  # during taxi run 5: trainer 71 ran, its push had not
LATER = "2024-03-20T00:00:00"
MARTS = [
    "fct_graphlets",
    "dim_pipelines",
    "fct_training_cadence",
    "fct_operator_profile",
    "rpt_graphlet_profile",
    "rpt_fleet_distributions",
    "rpt_fleet_summary",
]
SELECT = ["--select", " ".join(f"+{m}" for m in MARTS), "--indirect-selection", "cautious"]
RUNNING = 2


def epoch_ms(instant: str) -> int:
    return int(dt.datetime.fromisoformat(instant).replace(tzinfo=dt.UTC).timestamp() * 1000)


def cut_store(source: Path, target: Path, instant: str) -> None:
    """The store as it stood at `instant`."""
    ms = epoch_ms(instant)
    shutil.copy(source, target)
    with sqlite3.connect(target) as con:
        for table in ("Execution", "Artifact", "Context"):
            con.execute(f"delete from {table} where create_time_since_epoch > ?", (ms,))
        con.execute(
            "update Execution set last_known_state = ?, last_update_time_since_epoch = ? "
            "where last_update_time_since_epoch > ?",
            (RUNNING, ms, ms),
        )
        # Artifacts and contexts updated after the instant: their update had not happened.
        for table in ("Artifact", "Context"):
            con.execute(
                f"update {table} set last_update_time_since_epoch = ? "
                "where last_update_time_since_epoch > ?",
                (ms, ms),
            )
        con.execute(
            "delete from Event where milliseconds_since_epoch > ? "
            "or artifact_id not in (select id from Artifact) "
            "or execution_id not in (select id from Execution)",
            (ms,),
        )
        con.execute("delete from EventPath where event_id not in (select id from Event)")
        for table, column, owner in (
            ("ExecutionProperty", "execution_id", "Execution"),
            ("ArtifactProperty", "artifact_id", "Artifact"),
            ("ContextProperty", "context_id", "Context"),
            ("Attribution", "artifact_id", "Artifact"),
            ("Attribution", "context_id", "Context"),
            ("Association", "execution_id", "Execution"),
            ("Association", "context_id", "Context"),
            ("ParentContext", "context_id", "Context"),
            ("ParentContext", "parent_context_id", "Context"),
        ):
            con.execute(f"delete from {table} where {column} not in (select id from {owner})")


def normalized(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Floats to 6 decimals: a sum's last bit depends on the order rows are read."""
    return tuple(round(v, 6) if isinstance(v, float) else v for v in row)


def snapshot(data: DataDir) -> dict[str, list[tuple[Any, ...]]]:
    with duckdb.connect(str(data.warehouse), read_only=True) as con:
        out = {}
        for mart in MARTS:
            columns = [
                c
                for (c,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'marts' and table_name = ? and column_name != 'as_of' "
                    "order by ordinal_position",
                    [mart],
                ).fetchall()
            ]
            out[mart] = sorted(
                (
                    normalized(row)
                    for row in con.execute(
                        f"select {', '.join(columns)} from marts.{mart}"
                    ).fetchall()
                ),
                key=repr,
            )
        return out


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DataDir]:
    root = tmp_path_factory.mktemp("time_travel")
    full = DataDir(root / "full")
    ingest_sqlite(STORE, full.raw)
    out = {}
    for name, instant in (("earlier", EARLIER), ("later", LATER)):
        data = DataDir(root / name)
        shutil.copytree(full.raw, data.raw)
        build(data, {"as_of": instant}, *SELECT)
        out[name] = data
    cut = DataDir(root / "cut")
    cut_store(STORE, root / "cut.sqlite", EARLIER)
    ingest_sqlite(root / "cut.sqlite", cut.raw)
    build(cut, None, *SELECT)
    out["cut"] = cut
    return out


def test_as_of_equals_the_store_cut_at_that_instant(builds: dict[str, DataDir]) -> None:
    as_of, cut = snapshot(builds["earlier"]), snapshot(builds["cut"])
    for mart in MARTS:
        assert as_of[mart] == cut[mart], mart


def test_earlier_answer_reads_as_it_stood(
    builds: dict[str, DataDir], truth: dict[str, Any]
) -> None:
    ms = epoch_ms(EARLIER)
    with duckdb.connect(str(builds["earlier"].warehouse), read_only=True) as con:
        outcomes = dict(
            con.execute("select graphlet_id, outcome from marts.fct_graphlets").fetchall()
        )
        (as_of, executions, graphlets) = con.execute(
            "select as_of, execution_count, graphlet_count from marts.rpt_fleet_summary"
        ).fetchone()  # type: ignore[misc]
    expected = {g["trainer_execution_id"] for g in truth["graphlets"] if g["trained_at_ms"] <= ms}
    assert set(outcomes) == expected
    # Trainer 71 trained but its evaluation and push came after the instant: pending then.
    assert outcomes[71] == "pending"
    assert outcomes[7] == "pushed"
    assert as_of == dt.datetime.fromisoformat(EARLIER)
    assert executions == sum(1 for e in truth["executions"] if e["start_ms"] <= ms)
    assert graphlets == len(expected)


def test_later_instant_sees_more(builds: dict[str, DataDir], truth: dict[str, Any]) -> None:
    ms = epoch_ms(LATER)
    with duckdb.connect(str(builds["later"].warehouse), read_only=True) as con:
        outcomes = dict(
            con.execute("select graphlet_id, outcome from marts.fct_graphlets").fetchall()
        )
    expected = {g["trainer_execution_id"] for g in truth["graphlets"] if g["trained_at_ms"] <= ms}
    assert set(outcomes) == expected
    assert outcomes[71] == "pushed"
