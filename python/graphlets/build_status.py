"""What each build was made from, kept in two places:

- inside the warehouse, table `meta.build_status` (one row): the raw layer, vars, as_of,
  versions and times of the build that made this file. A failed build never replaces
  the file, so this row always describes the marts beside it;
- beside it, `<data dir>/last_build.json`: the last build *attempt*, failed or not.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import duckdb

from graphlets import rawlayer
from graphlets.paths import DataDir

TABLE = "meta.build_status"


@dataclass
class BuildStatus:
    raw_layer_id: str | None
    raw_source: str | None
    vars: dict[str, Any]
    as_of: str | None
    selection: str | None
    graphlets_version: str
    dbt_version: str
    duckdb_version: str
    started_at: str
    finished_at: str | None = None
    outcome: str = "running"
    message: str | None = None
    target: str = "duckdb"  # the profiles.yml target dbt built on


def record_in_warehouse(con: duckdb.DuckDBPyConnection, status: BuildStatus) -> None:
    row = asdict(status)
    row["vars"] = json.dumps(status.vars, default=str)
    con.execute("create schema if not exists meta")
    con.execute(
        f"create or replace table {TABLE} as select "
        + ", ".join(f"?::varchar as {name}" for name in row),
        list(row.values()),
    )


def read_from_warehouse(warehouse: Path) -> BuildStatus | None:
    """The build that made `warehouse`; None for a file made before builds were recorded."""
    if not warehouse.is_file():
        return None
    with duckdb.connect(str(warehouse), read_only=True) as con:
        try:
            cursor = con.execute(f"select * from {TABLE}")
        except duckdb.CatalogException:
            return None
        names = [column[0] for column in cursor.description]
        row = dict(zip(names, cursor.fetchone(), strict=True))
    row["vars"] = json.loads(row["vars"])
    return BuildStatus(**row)


def write_last_attempt(data: DataDir, status: BuildStatus) -> None:
    path = data.root / "last_build.json"
    temporary = path.with_name(f".last_build.{os.getpid()}.json")
    temporary.write_text(json.dumps(asdict(status), indent=2, default=str) + "\n")
    os.replace(temporary, path)


def read_last_attempt(data: DataDir) -> BuildStatus | None:
    try:
        return BuildStatus(**json.loads((data.root / "last_build.json").read_text()))
    except (OSError, ValueError, TypeError):
        return None


def staleness(data: DataDir) -> str | None:
    """Why the marts in the warehouse do not show the current raw layer, or None."""
    built = read_from_warehouse(data.warehouse)
    if built is None:
        return (
            f"{data.warehouse} does not record what it was built from (an older graphlets "
            "made it): run `graphlets build`"
        )
    if built.selection:
        return (
            f"{data.warehouse} holds a partial build (only {built.selection}): "
            "run `graphlets build`"
        )
    current = rawlayer.read_manifest(data.raw)
    current_id = current.raw_layer_id if current else None
    if built.raw_layer_id != current_id:
        now = f"{current.source_kind} {current.source}" if current else "unrecorded"
        return (
            f"the marts were built from raw layer {built.raw_layer_id} ({built.raw_source}) "
            f"but the raw layer is now {current_id} ({now}): run `graphlets build`"
        )
    return None
