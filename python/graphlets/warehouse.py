"""Atomic warehouse builds: dbt writes a new DuckDB file beside the warehouse, and only a
build in which every model and every error-severity test passed replaces it
(`os.replace`, after a checkpoint, so no `.wal` is left). Until then the previous
warehouse stays whole; a reader holding it open keeps its file and never blocks a build.
On the Spark target dbt writes Spark tables instead, and the new file gets DuckDB views
over their Parquet files (`graphlets.spark`) before the same swap.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from graphlets import __version__, dbt_vars, rawlayer
from graphlets.build_status import BuildStatus, record_in_warehouse, write_last_attempt
from graphlets.dbt_runner import BuildError, BuildResult, NodeCallback, describe_failures, run_dbt
from graphlets.interrupts import finish_before_interrupt
from graphlets.paths import DataDir

_BUILDING_PREFIX = ".warehouse.building-"
# How many truncated graphlets' trainer ids the warning names.
_NAMED_TRUNCATED = 5


@dataclass
class BuildOutcome:
    result: BuildResult
    is_complete: bool = True  # False for a build of selected nodes only
    truncated: int = 0
    truncated_trainer_ids: list[int] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        return [
            f"{n.resource_type} {n.name}: {n.message}"
            for n in self.result.nodes
            if n.status == "warn" and n.name != "assert_no_graphlet_reached_max_depth"
        ]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def remove_leftovers(data: DataDir) -> None:
    """Drop the files of builds that were killed. Run only under the data dir's lock."""
    for path in data.root.glob(f"{_BUILDING_PREFIX}*"):
        if path.is_dir():  # DuckDB's spill folder
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    for path in data.root.glob(".last_build.*.json"):
        path.unlink(missing_ok=True)


def _versions() -> tuple[str, str]:
    from dbt.version import __version__ as dbt_version

    return dbt_version, duckdb.__version__


def _truncated(con: duckdb.DuckDBPyConnection) -> tuple[int, list[int]]:
    ids = [
        row[0]
        for row in con.execute(
            "select trainer_execution_id from marts.fct_graphlets "
            "where is_truncated order by trainer_execution_id"
        ).fetchall()
    ]
    return len(ids), ids[:_NAMED_TRUNCATED]


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def build(
    data: DataDir,
    variables: dict[str, Any] | None = None,
    select: str | None = None,
    on_node: NodeCallback | None = None,
    target: str | None = None,
) -> BuildOutcome:
    """Build a new warehouse on the profile's `target` (default DuckDB) and swap it in;
    raise BuildError (or KeyboardInterrupt) with the previous warehouse untouched when
    anything fails. Run under the data dir's lock."""
    from graphlets import spark

    on_spark = target == spark.TARGET
    if on_spark:
        spark.prepare(data)
    manifest = rawlayer.read_manifest(data.raw)
    dbt_version, duckdb_version = _versions()
    status = BuildStatus(
        raw_layer_id=manifest.raw_layer_id if manifest else None,
        raw_source=f"{manifest.source_kind} {manifest.source}" if manifest else None,
        vars=variables or {},
        as_of=(variables or {}).get("as_of"),
        selection=select,
        graphlets_version=__version__,
        dbt_version=dbt_version,
        duckdb_version=duckdb_version,
        started_at=_now(),
        target=target or "duckdb",
    )
    write_last_attempt(data, status)
    # One name (the lock allows one build at a time): a path that changed per build
    # would change the profile and cost dbt its partial parse.
    building = data.root / f"{_BUILDING_PREFIX}new.duckdb"
    wal = building.with_name(building.name + ".wal")
    try:
        args = ("--select", select) if select else ()
        result = run_dbt(
            data,
            "build",
            # dbt's advice for production runs: the unit tests check the SQL on hand-made
            # rows, not the data, and cost dbt seconds per build (`run_unit_tests`).
            "--exclude-resource-type",
            "unit_test",
            *args,
            variables=variables,
            on_node=on_node,
            warehouse=building,
            target=target,
        )
        if not result.success:
            raise BuildError(describe_failures(result))
        if on_spark:
            spark.expose_marts(building, spark.mart_locations())
        outcome = BuildOutcome(result, is_complete=not select)
        status.outcome, status.finished_at = "success", _now()
        with finish_before_interrupt():
            with duckdb.connect(str(building)) as con:
                if outcome.is_complete:
                    outcome.truncated, outcome.truncated_trainer_ids = _truncated(con)
                record_in_warehouse(con, status)
                con.execute("checkpoint")
            _fsync(building)
            # A stale WAL beside the old file must not be replayed into the new one.
            data.warehouse.with_name(data.warehouse.name + ".wal").unlink(missing_ok=True)
            os.replace(building, data.warehouse)
            _fsync(data.root)
            write_last_attempt(data, status)
    except BaseException as error:
        building.unlink(missing_ok=True)
        wal.unlink(missing_ok=True)
        status.finished_at = _now()
        status.outcome = "interrupted" if isinstance(error, KeyboardInterrupt) else "failed"
        status.message = str(error) or type(error).__name__
        write_last_attempt(data, status)
        raise
    return outcome


def run_unit_tests(data: DataDir, target: str | None = None) -> BuildResult:
    """The project's dbt unit tests (each model's SQL on hand-made input rows) against
    the built warehouse's relations, which give the inputs' columns; dbt failures come
    back in the result. Run under the data dir's lock."""
    from graphlets import spark

    if target == spark.TARGET:
        spark.prepare(data)
    return run_dbt(data, "test", "--resource-type", "unit_test", target=target)


def max_depth(variables: dict[str, Any] | None) -> Any:
    return (variables or {}).get("max_depth", dbt_vars.defaults()["max_depth"])
