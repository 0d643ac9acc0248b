"""Exports every mart for BI tools: `<data dir>/export/<mart>.parquet`."""

from __future__ import annotations

from pathlib import Path

import duckdb

from graphlets.errors import GraphletsError
from graphlets.paths import DataDir

FORMATS = ("parquet",)


class ExportError(GraphletsError):
    """The marts cannot be exported: an unknown format or no warehouse."""


def mart_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'marts' order by table_name"
        ).fetchall()
    ]


def export_marts(data: DataDir, fmt: str = "parquet", out: Path | None = None) -> list[Path]:
    """Write every table of schema `marts` to `out` (default `data.export`) as one file
    per mart; return the files written."""
    if fmt not in FORMATS:
        raise ExportError(f"unsupported export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not data.warehouse.is_file():
        raise ExportError(f"no warehouse at {data.warehouse}: run `graphlets build` first")
    target = (out or data.export).expanduser().resolve()
    target.mkdir(parents=True, exist_ok=True)
    written = []
    with data.read_warehouse() as con:
        for name in mart_names(con):
            path = target / f"{name}.{fmt}"
            literal = str(path).replace("'", "''")
            con.execute(f"copy marts.{name} to '{literal}' (format parquet)")
            written.append(path)
    return written
