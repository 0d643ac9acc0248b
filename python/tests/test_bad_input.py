"""Spec section 8: a store with every kind of broken row builds, and nothing vanishes.

Each bad row lands in `marts.fct_quarantined_rows` with the reason it was set aside, and
per raw table: raw rows = staged rows + quarantined rows.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from types import SimpleNamespace as NS
from typing import Any

import duckdb
import pytest
from conftest import build
from mlmd_builder import EXECUTION_KIND, MLMDBuilder, art
from rich.console import Console

from graphlets import mlmd_schema
from graphlets.paths import DataDir
from graphlets.summary import print_quarantine_line

T0 = 1_704_067_200_000
MINUTE = 60_000

STAGED = {
    "Type": "stg_mlmd__types",
    "TypeProperty": "stg_mlmd__type_properties",
    "ParentType": "stg_mlmd__parent_types",
    "Artifact": "stg_mlmd__artifacts",
    "ArtifactProperty": "stg_mlmd__artifact_properties",
    "Execution": "stg_mlmd__executions",
    "ExecutionProperty": "stg_mlmd__execution_properties",
    "Event": "stg_mlmd__events",
    "EventPath": "stg_mlmd__event_paths",
    "Context": "stg_mlmd__contexts",
    "ContextProperty": "stg_mlmd__context_properties",
    "ParentContext": "stg_mlmd__parent_contexts",
    "Attribution": "stg_mlmd__attributions",
    "Association": "stg_mlmd__associations",
    "MLMDEnv": "stg_mlmd__environments",
}


def t(minutes: float) -> int:
    return T0 + int(minutes * MINUTE)


def broken_store(b: MLMDBuilder) -> NS:
    c = NS()
    r1 = b.run("messy")
    c.eg, o = b.execution(
        "CsvExampleGen",
        run=r1,
        start=t(0),
        end=t(10),
        cost=10.0,
        outputs={"examples": [art("Examples", span=1)]},
    )
    c.e1 = o["examples"][0]
    c.sg, o = b.execution(
        "StatisticsGen",
        run=r1,
        start=t(10),
        end=t(15),
        cost=3.0,
        inputs={"examples": [c.e1]},
        outputs={"statistics": ["ExampleStatistics"]},
    )
    c.st = o["statistics"][0]
    c.tr, o = b.execution(
        "Trainer",
        run=r1,
        start=t(20),
        end=t(50),
        cost=100.0,
        inputs={"examples": [c.e1]},
        outputs={"model": ["Model"]},
    )
    c.m1 = o["model"][0]
    # An execution with no contexts at all: odd, not bad; it must land in the warehouse.
    c.lonely, _ = b.execution(
        "StatisticsGen", contexts=False, start=t(60), end=t(61), inputs={"examples": [c.e1]}
    )

    # --- the broken rows
    c.ev_missing_artifact = b.broken_event(9_999, c.sg, 3, [("examples", 0)], t(10))
    c.ev_type_0 = b.broken_event(c.st, c.tr, 0, [("statistics", 0)], t(20))
    c.ev_type_9 = b.broken_event(c.st, c.tr, 9, [("statistics", 0)], t(20))
    b.broken_property("artifact", c.e1, "span", int_value=1, string_value="1")
    b.broken_property("execution", c.lonely, "cost", string_value="cheap")
    # Missing (0) and negative timestamps; reusing a node context that already exists,
    # so only the execution and its links are bad (pipeline, run and node: 3 each).
    c.ex_no_time, _ = b.execution("StatisticsGen", run=r1, start=0, end=0)
    c.ex_negative, _ = b.execution("StatisticsGen", run=r1, start=-5_000, end=t(1))
    b.duplicate("Artifact", c.st, uri="/copied/again")
    # A property written twice (same owner, name and kind): the later copy is set aside.
    b.add_row("ArtifactProperty", **b.rows["ArtifactProperty"][0])
    # An export that repeats an Attribution's id for another link: the later row is set
    # aside (a unique test on the staged ids would otherwise fail the build).
    attributions = b.rows["Attribution"]
    linked = {(row["context_id"], row["artifact_id"]) for row in attributions}
    unlinked_context = next(
        row["context_id"] for row in attributions if (row["context_id"], c.st) not in linked
    )
    b.add_row(
        "Attribution", id=attributions[0]["id"], context_id=unlinked_context, artifact_id=c.st
    )
    c.nameless = b.nameless_type(EXECUTION_KIND)
    b.add_row(
        "Execution",
        id=900,
        type_id=c.nameless,
        last_known_state=3,
        create_time_since_epoch=t(70),
        last_update_time_since_epoch=t(71),
    )
    return c


EXPECTED_QUARANTINE = Counter(
    {
        ("Event", "event points at a missing artifact"): 1,
        ("Event", "unknown event type"): 2,
        ("EventPath", "path step of a missing event"): 6,
        ("ArtifactProperty", "several value columns set"): 1,
        ("ArtifactProperty", "duplicate property"): 1,
        ("ExecutionProperty", "cost property holding text, not a number"): 1,
        ("Execution", "missing or negative timestamp"): 2,
        ("Execution", "unknown execution type_id"): 1,
        ("Association", "link to a missing execution_id"): 6,
        ("Artifact", "duplicate id"): 1,
        ("Attribution", "duplicate id"): 1,
        ("Type", "type has no name"): 1,
    }
)


@pytest.fixture(scope="module")
def messy(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Any, NS, MLMDBuilder, DataDir]]:
    b = MLMDBuilder()
    c = broken_store(b)
    data = DataDir(tmp_path_factory.mktemp("messy"))
    b.write(data.raw)
    build(data)  # asserts success: no crash, every data test (reconciliation included) passes
    with duckdb.connect(str(data.warehouse), read_only=True) as con:
        yield con, c, b, data


def test_every_bad_row_is_quarantined_with_its_reason(messy) -> None:
    con, _, _, _ = messy
    rows = con.execute(
        "select source_table, quarantine_reason from marts.fct_quarantined_rows"
    ).fetchall()
    assert Counter(rows) == EXPECTED_QUARANTINE


def test_quarantined_rows_keep_their_raw_values(messy) -> None:
    con, c, _, _ = messy
    # raw_row is the row as the base model read it (renamed columns, raw codes kept).
    events = {
        row["event_id"]: (row["artifact_id"], row["event_type_code"])
        for row in (
            json.loads(raw)
            for (raw,) in con.execute(
                "select raw_row from marts.fct_quarantined_rows where source_table = 'Event'"
            ).fetchall()
        )
    }
    assert events == {
        c.ev_missing_artifact: (9_999, 3),
        c.ev_type_0: (c.st, 0),
        c.ev_type_9: (c.st, 9),
    }
    executions = {
        json.loads(raw)["execution_id"]
        for (raw,) in con.execute(
            "select raw_row from marts.fct_quarantined_rows where source_table = 'Execution'"
        ).fetchall()
    }
    assert executions == {c.ex_no_time, c.ex_negative, 900}
    duplicate = con.execute(
        "select raw_row from marts.fct_quarantined_rows where source_table = 'Artifact'"
    ).fetchall()
    assert [json.loads(raw)["uri"] for (raw,) in duplicate] == ["/copied/again"]
    # The first copy is the one staged.
    uri = con.execute(
        "select uri from staging.stg_mlmd__artifacts where artifact_id = ?", [c.st]
    ).fetchall()
    assert len(uri) == 1 and uri[0][0] != "/copied/again"


def test_raw_rows_reconcile(messy) -> None:
    con, _, builder, data = messy
    report = {
        r[0]: r[1:]
        for r in con.execute(
            "select source_table, raw_rows, staged_rows, quarantined_rows, after_as_of_rows, "
            "is_reconciled from marts.rpt_raw_reconciliation"
        ).fetchall()
    }
    assert set(report) == set(mlmd_schema.TABLES)
    assert all(row[-1] is True for row in report.values())
    quarantined = Counter()
    for (table, _), count in EXPECTED_QUARANTINE.items():
        quarantined[table] += count
    for table, written in builder.row_counts().items():
        raw = con.execute(
            f"select count(*) from read_parquet('{data.raw_file(table)}')"
        ).fetchone()[0]
        count = "sum(step_count)" if table == "EventPath" else "count(*)"
        staged = con.execute(
            f"select coalesce({count}, 0) from staging.{STAGED[table]}"
        ).fetchone()[0]
        assert raw == written, table
        assert raw == staged + quarantined[table], table
        assert report[table][:3] == (raw, staged, quarantined[table]), table


def test_a_cost_property_holding_text_is_set_aside_not_skipped(messy) -> None:
    con, c, _, _ = messy
    raw = con.execute(
        "select raw_row from marts.fct_quarantined_rows where quarantine_reason = "
        "'cost property holding text, not a number'"
    ).fetchall()
    assert [json.loads(r)["string_value"] for (r,) in raw] == ["cheap"]
    assert json.loads(raw[0][0])["execution_id"] == c.lonely
    # Its cost falls to the next rule, with the row on record in the quarantine.
    assert con.execute(
        "select cost_source from marts.fct_executions where execution_id = ?", [c.lonely]
    ).fetchone() == ("duration",)


def test_good_rows_still_make_a_graphlet(messy) -> None:
    con, c, _, _ = messy
    rows = set(
        con.execute(
            "select member_role, node_id from marts.fct_graphlet_members where graphlet_id = ?",
            [c.tr],
        ).fetchall()
    )
    assert rows == {
        ("trainer", f"execution:{c.tr}"),
        ("upstream", f"artifact:{c.e1}"),
        ("upstream", f"execution:{c.eg}"),
        ("downstream", f"artifact:{c.m1}"),
        ("side", f"execution:{c.sg}"),
        ("side", f"artifact:{c.st}"),
    }
    # The execution without contexts is staged, not set aside.
    lonely = con.execute(
        "select count(*) from marts.fct_executions where execution_id = ?", [c.lonely]
    ).fetchone()
    assert lonely == (1,)


def test_the_user_is_told_what_was_set_aside(messy) -> None:
    _, _, _, data = messy
    console = Console(record=True, width=1000)
    print_quarantine_line(console, data)
    text = console.export_text()
    total = sum(EXPECTED_QUARANTINE.values())
    assert f"quarantine: {total} raw rows set aside" in text
    assert "6 EventPath (path step of a missing event)" in text
