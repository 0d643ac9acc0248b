"""Runs the dbt project programmatically and reports progress per model."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from graphlets import spark
from graphlets.errors import GraphletsError
from graphlets.interrupts import noticing_interrupts
from graphlets.paths import DATA_DIR_ENV, PROJECT_DIR, DataDir

# The DuckDB file dbt-duckdb writes (profiles.yml); unset, it is the data dir's warehouse.
WAREHOUSE_ENV = "GRAPHLETS_WAREHOUSE"
# The raw layer's folder (the sources' `external_location`, Spark's `read_source`).
RAW_DIR_ENV = "GRAPHLETS_RAW_DIR"

# dbt's parse of the project (models, tests, macros; ~4 CPU-s) is kept beside the project
# and copied into a data dir that has none, so the first build of a new data dir starts
# from it. dbt checks that it still fits (every file, the vars, the profile) and parses
# again what changed. It fits another data dir only because, on DuckDB, no path in the
# profile or the sources names the data dir: dbt runs inside it and they are relative.
_PARSE_FILE = "partial_parse.msgpack"
SHARED_PARSE = PROJECT_DIR / "target" / _PARSE_FILE

NodeCallback = Callable[[str, str, str, float], None]


class BuildError(GraphletsError):
    """dbt failed; the message lists what failed and why."""


@dataclass
class NodeResult:
    name: str
    resource_type: str
    status: str
    seconds: float
    message: str | None


@dataclass
class BuildResult:
    success: bool
    nodes: list[NodeResult] = field(default_factory=list)

    @property
    def failures(self) -> list[NodeResult]:
        return [n for n in self.nodes if n.status in ("error", "fail", "runtime error")]


@contextmanager
def _dbt_environment(data: DataDir, warehouse: Path | None, target: str | None) -> Iterator[None]:
    """dbt's environment variables, and the data dir as the working directory: the
    warehouse and (on DuckDB) the raw layer are named relative to it."""
    settings = {
        DATA_DIR_ENV: str(data.root),
        WAREHOUSE_ENV: os.path.relpath(warehouse or data.warehouse, data.root),
    }
    if target != spark.TARGET:
        # Spark's raw layer may be a cluster's folder ($GRAPHLETS_RAW_DIR), left as set.
        settings[RAW_DIR_ENV] = data.raw.name
    previous = {name: os.environ.get(name) for name in settings}
    try:
        previous_cwd: str | None = os.getcwd()
    except FileNotFoundError:  # the caller's folder is gone: stay in the data dir after
        previous_cwd = None
    os.environ.update(settings)
    os.chdir(data.root)
    try:
        yield
    finally:
        if previous_cwd is not None:
            os.chdir(previous_cwd)
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _start_from_shared_parse(own_parse: Path) -> None:
    """Give a data dir without a parse of its own the last one kept beside the project."""
    if own_parse.exists() or not SHARED_PARSE.exists():
        return
    own_parse.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SHARED_PARSE, own_parse)


def _share_parse(own_parse: Path) -> None:
    """Keep this data dir's parse beside the project, replaced whole so that a build in
    another data dir never reads half a file. Only a cache: a project folder that cannot
    be written keeps none, and every first build parses in full."""
    staged = SHARED_PARSE.with_name(f"{_PARSE_FILE}.{os.getpid()}.tmp")
    try:
        if own_parse.exists():
            SHARED_PARSE.parent.mkdir(exist_ok=True)
            shutil.copyfile(own_parse, staged)
            os.replace(staged, SHARED_PARSE)
    except OSError:
        with suppress(OSError):
            staged.unlink(missing_ok=True)


def _node_finished_callback(on_node: NodeCallback | None) -> Callable[[Any], None]:
    def callback(event: Any) -> None:
        if on_node is None or event.info.name != "NodeFinished":
            return
        node = event.data.node_info
        started, finished = node.node_started_at, node.node_finished_at
        seconds = 0.0
        if started and finished:
            seconds = (
                datetime.fromisoformat(finished) - datetime.fromisoformat(started)
            ).total_seconds()
        on_node(node.resource_type, node.node_name, node.node_status, seconds)

    return callback


def _release_warehouse() -> None:
    """dbt-duckdb keeps one DuckDB instance open per process; close it so the
    wrapper (or another process) can open the warehouse file afterwards."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager as manager

    with manager._LOCK:
        if manager._ENV is not None:
            manager._ENV.close()
            manager._ENV = None


def run_dbt(
    data: DataDir,
    command: str,
    *args: str,
    variables: dict[str, Any] | None = None,
    on_node: NodeCallback | None = None,
    warehouse: Path | None = None,
    target: str | None = None,
) -> BuildResult:
    """Invoke `dbt <command>` (e.g. "build", "docs generate") on the project against
    `data`, on the profile's `target` (default: its default, DuckDB, writing `warehouse`,
    default the data dir's); dbt failures come back in the result, they are not raised.
    dbt prints nothing: the caller reports the nodes."""
    from dbt.cli.main import dbtRunner
    from dbt_common.events.event_manager_client import cleanup_event_logger

    # dbt_common starts with a logger to stdout; dbt replaces it only once the flags are
    # read, so an interrupt before then would print dbt's traceback. Start silent.
    cleanup_event_logger()

    data.root.mkdir(parents=True, exist_ok=True)
    own_parse = data.root / "target" / _PARSE_FILE
    _start_from_shared_parse(own_parse)
    argv = [
        *command.split(),
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(data.root / "target"),
        "--log-path",
        str(data.root / "logs"),
        "--log-level",
        "none",
        "--log-level-file",
        "info",
        "--use-colors" if sys.stdout.isatty() else "--no-use-colors",
        *args,
    ]
    if variables:
        argv += ["--vars", json.dumps(variables)]
    if target:
        argv += ["--target", target]
    with _dbt_environment(data, warehouse, target), noticing_interrupts() as interrupts:
        try:
            result = dbtRunner(callbacks=[_node_finished_callback(on_node)]).invoke(argv)
        finally:
            _release_warehouse()
            _share_parse(own_parse)
        if interrupts.received or isinstance(result.exception, KeyboardInterrupt):
            raise KeyboardInterrupt
    if result.exception is not None:
        raise BuildError(f"dbt {command} could not run: {_one_line(str(result.exception))}")
    nodes = []
    for node_result in getattr(result.result, "results", None) or []:
        nodes.append(
            NodeResult(
                name=node_result.node.name,
                resource_type=str(node_result.node.resource_type),
                status=str(node_result.status),
                seconds=float(node_result.execution_time or 0.0),
                message=node_result.message,
            )
        )
    return BuildResult(success=bool(result.success), nodes=nodes)


def describe_failures(result: BuildResult) -> str:
    """One line per failing node with dbt's message."""
    lines = [
        f"{n.resource_type} {n.name}: {n.status}: {_one_line(n.message)}" for n in result.failures
    ]
    return "\n".join(lines) or "dbt reported a failure without a failing node"


def _one_line(message: str | None, limit: int = 400) -> str:
    text = " ".join((message or "(no message)").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
