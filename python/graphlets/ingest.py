"""Loaders that copy an MLMD store into the raw layer (one Parquet file per MLMD table).

Both loaders write into a temporary folder and swap it in only when every table is
written, so a failed load never leaves half a raw layer behind.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from graphlets import mlmd_schema, rawlayer
from graphlets.mlmd_schema import ARROW_TYPES, arrow_schema

Progress = Callable[[str, int], None]

# A store needs these to mean anything; the others may be absent and load empty.
REQUIRED_TABLES = ("Type", "Artifact", "Execution", "Event", "EventPath")
SQLITE_BATCH_ROWS = 200_000

# The Python values sqlite3 hands back that fit each column type (used to name a bad one).
_PYTHON_TYPES = {"BIGINT": (int,), "DOUBLE": (int, float), "VARCHAR": (str,), "BLOB": (bytes,)}


class IngestError(ValueError):
    """A store or export that cannot be loaded; the message says exactly what is wrong."""


@dataclass(frozen=True)
class IngestSummary:
    source: Path
    schema_version: int | None
    rows_by_table: dict[str, int]
    filled_columns: dict[str, list[str]]

    @property
    def rows_total(self) -> int:
        return sum(self.rows_by_table.values())




# --------------------------------------------------------------------------- SQLite


def _sqlite_columns(con: sqlite3.Connection, table: str) -> list[str] | None:
    rows = con.execute(f"PRAGMA table_info(`{table}`)").fetchall()
    return [row[1] for row in rows] or None


def _sqlite_schema_version(con: sqlite3.Connection, tables: set[str]) -> int | None:
    if "MLMDEnv" not in tables:
        return None
    row = con.execute("SELECT max(schema_version) FROM MLMDEnv").fetchone()
    return row[0] if row else None


def _to_arrow(table: str, column: str, values: list, kind: str) -> pa.Array:
    if column == "proto_value":
        # MLMD stores a proto value as base64 *text* in a BLOB column.
        values = [v.decode("ascii") if isinstance(v, bytes) else v for v in values]
    try:
        return pa.array(values, type=ARROW_TYPES[kind])
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError) as error:
        fits = _PYTHON_TYPES[kind]
        bad = next((v for v in values if v is not None and type(v) not in fits), None)
        raise IngestError(
            f"table {table}, column {column}: expected {kind} values, found {bad!r}"
        ) from error


def _sqlite_batches(
    con: sqlite3.Connection, table: str, present: list[str]
) -> Iterator[pa.RecordBatch]:
    schema = arrow_schema(table)
    wanted = mlmd_schema.column_names(table)
    select = ", ".join(f"`{c}`" if c in present else f"NULL AS `{c}`" for c in wanted)
    # EventPath has no order column: SQLite's rowid order is the step order.
    cursor = con.execute(f"SELECT {select} FROM `{table}` ORDER BY rowid")
    while rows := cursor.fetchmany(SQLITE_BATCH_ROWS):
        columns = list(zip(*rows, strict=True))
        arrays = [
            _to_arrow(table, name, list(values), kind)
            for (name, kind), values in zip(mlmd_schema.TABLES[table], columns, strict=True)
        ]
        yield pa.RecordBatch.from_arrays(arrays, schema=schema)


def ingest_sqlite(store: Path, raw_dir: Path, progress: Progress | None = None) -> IngestSummary:
    """Copy a real MLMD SQLite store (schema version 6 to 10) into `raw_dir`."""
    if not store.is_file():
        raise IngestError(f"{store}: no such file")
    try:
        con = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
        tables = {
            row[0]
            for row in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    except sqlite3.DatabaseError as error:
        raise IngestError(f"{store}: not an SQLite database ({error})") from error
    missing = [t for t in REQUIRED_TABLES if t not in tables]
    if missing:
        raise IngestError(
            f"{store}: not an MLMD store, missing table(s) {', '.join(missing)}"
        )
    version = _sqlite_schema_version(con, tables)
    if version is not None and version < mlmd_schema.MIN_SCHEMA_VERSION:
        raise IngestError(
            f"{store}: MLMD schema version {version} is not supported; versions "
            f"{mlmd_schema.MIN_SCHEMA_VERSION} to {mlmd_schema.SCHEMA_VERSION} are "
            "(upgrade it with ml-metadata's enable_upgrade_migration)"
        )
    staging = rawlayer.new_version_dir(raw_dir)
    rows: dict[str, int] = {}
    filled: dict[str, list[str]] = {}
    try:
        for table in mlmd_schema.TABLES:
            present = _sqlite_columns(con, table) if table in tables else []
            present = present or []
            lacking = [c for c in mlmd_schema.required_columns(table) if c not in present]
            if present and lacking:
                raise IngestError(f"{store}: table {table} lacks column(s) {', '.join(lacking)}")
            absent = [c for c in mlmd_schema.column_names(table) if c not in present]
            if present and absent:
                filled[table] = absent
            rows[table] = _write_batches(
                staging / f"{table}.parquet",
                arrow_schema(table),
                _sqlite_batches(con, table, present) if present else iter(()),
            )
            if progress:
                progress(table, rows[table])
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        con.close()
    rawlayer.swap_in(staging, raw_dir, source_kind="mlmd", source=store)
    return IngestSummary(store, version, rows, filled)


def _write_batches(path: Path, schema: pa.Schema, batches: Iterator[pa.RecordBatch]) -> int:
    count = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for batch in batches:
            writer.write_batch(batch)
            count += batch.num_rows
    return count


# --------------------------------------------------------------------------- files


def _find_export(folder: Path, table: str) -> Path | None:
    for suffix in (".parquet", ".csv"):
        for candidate in (folder / f"{table}{suffix}", folder / f"{table.lower()}{suffix}"):
            if candidate.is_file():
                return candidate
    return None


def _reader(path: Path) -> str:
    quoted = str(path).replace("'", "''")
    if path.suffix == ".csv":
        return f"read_csv('{quoted}', header = true, all_varchar = true)"
    return f"read_parquet('{quoted}')"


def _check_columns(path: Path, table: str, found: list[str]) -> list[str]:
    wanted = mlmd_schema.column_names(table)
    unknown = [c for c in found if c not in wanted]
    if unknown:
        raise IngestError(
            f"{path}: unknown column(s) {', '.join(unknown)} for MLMD table {table}; "
            f"expected {', '.join(wanted)}"
        )
    lacking = [c for c in mlmd_schema.required_columns(table) if c not in found]
    if lacking:
        raise IngestError(f"{path}: missing column(s) {', '.join(lacking)} for table {table}")
    return [c for c in wanted if c not in found]


def _copy_export(con: duckdb.DuckDBPyConnection, path: Path, table: str, target: Path) -> tuple[
    int, list[str]
]:
    relation = _reader(path)
    found = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]
    absent = _check_columns(path, table, found)
    casts = []
    for name, kind in mlmd_schema.TABLES[table]:
        if name not in found:
            casts.append(f"CAST(NULL AS {kind}) AS {name}")
            continue
        bad = con.execute(
            f"SELECT any_value({name}) FROM {relation} "
            f"WHERE {name} IS NOT NULL AND TRY_CAST({name} AS {kind}) IS NULL"
        ).fetchone()[0]
        if bad is not None:
            raise IngestError(f"{path}: column {name} must hold {kind} values, found {bad!r}")
        casts.append(f"CAST({name} AS {kind}) AS {name}")
    out = str(target).replace("'", "''")
    con.execute(
        f"COPY (SELECT {', '.join(casts)} FROM {relation}) TO '{out}' "
        "(FORMAT parquet, COMPRESSION zstd)"
    )
    count = con.execute(f"SELECT count(*) FROM read_parquet('{out}')").fetchone()[0]
    return count, absent


def ingest_files(folder: Path, raw_dir: Path, progress: Progress | None = None) -> IngestSummary:
    """Load a folder of Parquet or CSV exports named after MLMD's tables (Event.csv, ...)."""
    if not folder.is_dir():
        raise IngestError(f"{folder}: no such folder")
    missing = [t for t in REQUIRED_TABLES if _find_export(folder, t) is None]
    if missing:
        raise IngestError(
            f"{folder}: no export for table(s) {', '.join(missing)} "
            "(expected files such as Event.parquet or Event.csv)"
        )
    staging = rawlayer.new_version_dir(raw_dir)
    rows: dict[str, int] = {}
    filled: dict[str, list[str]] = {}
    con = duckdb.connect()
    # Exports are read in file order: that order is EventPath's step order.
    con.execute("SET preserve_insertion_order = true; SET threads = 1")
    try:
        for table in mlmd_schema.TABLES:
            target = staging / f"{table}.parquet"
            path = _find_export(folder, table)
            if path is None:
                rows[table] = _write_batches(target, arrow_schema(table), iter(()))
            else:
                rows[table], absent = _copy_export(con, path, table, target)
                if absent:
                    filled[table] = absent
            if progress:
                progress(table, rows[table])
    except duckdb.Error as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise IngestError(f"{folder}: {error}") from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        con.close()
    version = _schema_version_of(staging)
    rawlayer.swap_in(staging, raw_dir, source_kind="files", source=folder)
    return IngestSummary(folder, version, rows, filled)


def _schema_version_of(raw_dir: Path) -> int | None:
    table = pq.read_table(raw_dir / "MLMDEnv.parquet")
    values = [v for v in table.column("schema_version").to_pylist() if v is not None]
    return max(values) if values else None
