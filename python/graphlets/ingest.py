"""Loaders that copy an MLMD store into the raw layer (one Parquet file per MLMD table).

`ingest_mlmd` reads a store where it lives (SQLite file, MySQL/MariaDB, PostgreSQL: see
readers.py); `ingest_files` reads a folder of per-table exports. Both write into a
temporary folder and swap it in only when every table is written, so a failed load never
leaves half a raw layer behind.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from graphlets import mlmd_schema, rawlayer, readers, store_url
from graphlets.errors import GraphletsError
from graphlets.mlmd_schema import arrow_schema

Progress = Callable[[str, int], None]

# A store needs these to mean anything; the others may be absent and load empty.
REQUIRED_TABLES = ("Type", "Artifact", "Execution", "Event", "EventPath")
DEFAULT_CONNECT_TIMEOUT = 10.0  # seconds


class IngestError(GraphletsError):
    """A store or export that cannot be loaded; the message says exactly what is wrong."""


@dataclass(frozen=True)
class IngestSummary:
    source: str  # the store's path or URL, without its password
    schema_version: int | None
    rows_by_table: dict[str, int]
    filled_columns: dict[str, list[str]]

    @property
    def rows_total(self) -> int:
        return sum(self.rows_by_table.values())


# --------------------------------------------------------------------------- MLMD stores


def ingest_mlmd(
    location: str | Path,
    raw_dir: Path,
    progress: Progress | None = None,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
) -> IngestSummary:
    """Copy an MLMD store (SQLite file, MySQL/MariaDB or PostgreSQL URL) into `raw_dir`.

    Every table is read in one read-only snapshot, so the raw layer is one instant of a
    store that may be written meanwhile.
    """
    try:
        url = store_url.parse(str(location))
    except store_url.StoreUrlError as error:
        raise IngestError(str(error)) from None
    with rawlayer.new_version(raw_dir) as staging:
        try:
            with readers.open_reader(url, connect_timeout) as reader:
                found = reader.columns()
                version = _checked_schema_version(reader, found)
                plan, filled = _plan(found)
                rows = _copy_tables(_read_ahead(reader.read(plan)), staging, progress)
        except (readers.ReaderError, IngestError) as error:
            raise IngestError(f"{url.display}: {error}") from None
        # The manifest records the store without its password (`display`).
        rawlayer.swap_in(staging, raw_dir, source_kind="mlmd", source=url.path or url.display)
    return IngestSummary(url.display, version, rows, filled)


def ingest_sqlite(store: Path, raw_dir: Path, progress: Progress | None = None) -> IngestSummary:
    """Copy a real MLMD SQLite store (schema version 6 to 10) into `raw_dir`."""
    return ingest_mlmd(store, raw_dir, progress)


_SUPPORTED = (
    f"versions {mlmd_schema.MIN_SCHEMA_VERSION} to {mlmd_schema.SCHEMA_VERSION} are supported"
)


def _checked_schema_version(reader: readers.Reader, found: dict[str, list[str]]) -> int:
    missing = [t for t in REQUIRED_TABLES if t not in found]
    if missing:
        raise IngestError(f"not an MLMD store, missing table(s) {', '.join(missing)}")
    if "MLMDEnv" not in found:
        raise IngestError(f"no MLMDEnv table, so the MLMD schema version is unknown; {_SUPPORTED}")
    return _supported(reader.schema_version())


def _supported(version: int | None) -> int:
    """`version` when graphlets reads stores of that MLMD schema version."""
    if version is None:
        raise IngestError(
            f"table MLMDEnv is empty, so the MLMD schema version is unknown; {_SUPPORTED}"
        )
    if not mlmd_schema.MIN_SCHEMA_VERSION <= version <= mlmd_schema.SCHEMA_VERSION:
        hint = (
            " (upgrade it with ml-metadata's enable_upgrade_migration)"
            if version < mlmd_schema.MIN_SCHEMA_VERSION
            else ""
        )
        raise IngestError(f"MLMD schema version {version} is not supported; {_SUPPORTED}{hint}")
    return version


def _plan(found: dict[str, list[str]]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The columns to read per MLMD table, and the columns the store lacks (left NULL)."""
    plan: dict[str, list[str]] = {}
    filled: dict[str, list[str]] = {}
    for table in mlmd_schema.TABLES:
        present = found.get(table, [])
        lacking = [c for c in mlmd_schema.required_columns(table) if c not in present]
        if present and lacking:
            raise IngestError(f"table {table} lacks column(s) {', '.join(lacking)}")
        absent = [c for c in mlmd_schema.column_names(table) if c not in present]
        if present and absent:
            filled[table] = absent
        plan[table] = present
    return plan, filled


def _copy_tables(
    batches: Iterator[tuple[str, pa.RecordBatch]], staging: Path, progress: Progress | None
) -> dict[str, int]:
    """Write each table's batches (which arrive table after table) to its Parquet file."""
    rows = {table: 0 for table in mlmd_schema.TABLES}
    writers: dict[str, pq.ParquetWriter] = {}
    try:
        for table, batch in batches:
            if table not in writers:
                writers[table] = _parquet_writer(staging, table)
            writers[table].write_batch(conform(table, batch))
            rows[table] += batch.num_rows
            if progress:
                progress(table, rows[table])
        for table in mlmd_schema.TABLES:
            if table not in writers:  # absent from the store: an empty file
                writers[table] = _parquet_writer(staging, table)
    finally:
        for writer in writers.values():
            writer.close()
    return rows


def _read_ahead(
    batches: Iterator[tuple[str, pa.RecordBatch]], depth: int = 2
) -> Iterator[tuple[str, pa.RecordBatch]]:
    """`batches`, read in a thread up to `depth` ahead: the database read and the Parquet
    write (both release the GIL) overlap, and memory stays bounded by a few batches."""
    ahead: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def read() -> None:
        try:
            for item in batches:
                while not stop.is_set():
                    try:
                        ahead.put(("batch", item), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    break
            ahead.put(("done", None))
        except BaseException as error:  # handed to the consumer, raised there
            ahead.put(("error", error))
        finally:
            close = getattr(batches, "close", None)
            if close:
                close()

    reader = threading.Thread(target=read, name="graphlets-read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            kind, item = ahead.get()
            if kind == "done":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()
        while reader.is_alive():  # drain so a blocked put sees the stop
            with contextlib.suppress(queue.Empty):
                ahead.get(timeout=0.1)
        reader.join()


def _parquet_writer(staging: Path, table: str) -> pq.ParquetWriter:
    return pq.ParquetWriter(staging / f"{table}.parquet", arrow_schema(table), compression="zstd")


def conform(table: str, batch: pa.RecordBatch) -> pa.RecordBatch:
    """`batch` cast to the raw layer's types; a value that does not fit is named."""
    schema = arrow_schema(table)
    arrays = []
    for field in schema:
        column = batch.column(field.name)
        if column.null_count == len(column):  # a reader may type an all-NULL column anyhow
            arrays.append(pa.nulls(len(column), field.type))
            continue
        try:
            arrays.append(column.cast(field.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            kind = dict(mlmd_schema.TABLES[table])[field.name]
            bad = _first_unfit(column, field.type)
            raise IngestError(
                f"table {table}, column {field.name}: expected {kind} values, found {bad!r}"
            ) from error
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _first_unfit(column: pa.Array, target: pa.DataType) -> object:
    for value in column.to_pylist():
        try:
            pa.array([value], type=column.type).cast(target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return value
    return None


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


def _copy_export(
    con: duckdb.DuckDBPyConnection, path: Path, table: str, target: Path
) -> tuple[int, list[str]]:
    relation = _reader(path)
    found = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()]
    absent = _check_columns(path, table, found)
    casts = []
    for name, kind in mlmd_schema.TABLES[table]:
        if name not in found:
            casts.append(f"CAST(NULL AS {kind}) AS {name}")
            continue
        value = _export_value(name, kind)
        bad = con.execute(
            f"SELECT any_value({name}) FROM {relation} "
            f"WHERE {name} IS NOT NULL AND ({_does_not_fit(value, kind)})"
        ).fetchone()[0]
        if bad is not None:
            raise IngestError(f"{path}: column {name} must hold {kind} values, found {bad!r}")
        casts.append(f"CAST({value} AS {kind}) AS {name}")
    out = str(target).replace("'", "''")
    con.execute(
        f"COPY (SELECT {', '.join(casts)} FROM {relation}) TO '{out}' "
        "(FORMAT parquet, COMPRESSION zstd)"
    )
    count = con.execute(f"SELECT count(*) FROM read_parquet('{out}')").fetchone()[0]
    return count, absent


def _export_value(name: str, kind: str) -> str:
    """The SQL reading one exported column; PostgreSQL writes its booleans as t/f."""
    if name in mlmd_schema.BOOLEAN_COLUMNS:
        return (
            f"CASE lower(CAST({name} AS VARCHAR)) WHEN 't' THEN '1' WHEN 'true' THEN '1' "
            f"WHEN 'f' THEN '0' WHEN 'false' THEN '0' ELSE CAST({name} AS VARCHAR) END"
        )
    return name


def _does_not_fit(value: str, kind: str) -> str:
    if kind == "BIGINT":  # a cast would round 1.5 to 2; only whole numbers fit
        return f"NOT regexp_full_match(trim(CAST({value} AS VARCHAR)), '[+-]?[0-9]+')"
    return f"TRY_CAST({value} AS {kind}) IS NULL"


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
    with rawlayer.new_version(raw_dir) as staging:
        try:
            rows, filled = _copy_exports(folder, staging, progress)
        except duckdb.Error as error:
            raise IngestError(f"{folder}: {error}") from error
        version = _schema_version_of(staging)
        if version is not None:  # hand-made exports may leave MLMDEnv out
            try:
                _supported(version)
            except IngestError as error:
                raise IngestError(f"{folder}: {error}") from None
        rawlayer.swap_in(staging, raw_dir, source_kind="files", source=folder)
    return IngestSummary(str(folder), version, rows, filled)


def _copy_exports(
    folder: Path, staging: Path, progress: Progress | None
) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Each table's export (or an empty table) into `staging`: rows per table, and the
    columns an export lacked, filled with nulls."""
    rows: dict[str, int] = {}
    filled: dict[str, list[str]] = {}
    with duckdb.connect() as con:
        # Exports are read in file order: that order is EventPath's step order.
        con.execute("SET preserve_insertion_order = true; SET threads = 1")
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
    return rows, filled


def _schema_version_of(raw_dir: Path) -> int | None:
    table = pq.read_table(raw_dir / "MLMDEnv.parquet")
    values = [v for v in table.column("schema_version").to_pylist() if v is not None]
    return max(values) if values else None
