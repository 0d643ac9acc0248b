"""Write the simulated tables: one Parquet file per MLMD table, or a real MLMD SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..mlmd_schema import column_names

DDL = Path(__file__).resolve().parent.parent / "data" / "mlmd_schema.sql"
ROW_GROUP = 1 << 20
SQLITE_BATCH = 100_000


def _options(table: pa.Table) -> dict:
    """Deterministic: no statistics that depend on timing, zstd."""
    return {
        "schema": table.schema,
        "compression": "zstd",
        "use_dictionary": True,
        "write_statistics": True,
    }


def write_parquet_table(table: pa.Table, path: Path) -> None:
    with pq.ParquetWriter(path, **_options(table)) as file:
        file.write_table(table, row_group_size=ROW_GROUP)


class ParquetWriter:
    """One Parquet file per table, a chunk of the fleet appended at a time."""

    def __init__(self, raw_dir: Path) -> None:
        self.raw_dir = raw_dir
        raw_dir.mkdir(parents=True, exist_ok=True)
        self.files: dict[str, pq.ParquetWriter] = {}

    def put(self, name: str, table: pa.Table) -> None:
        if name not in self.files:
            self.files[name] = pq.ParquetWriter(self.raw_dir / f"{name}.parquet", **_options(table))
        elif not table.num_rows:
            return  # an empty chunk would add an empty row group
        self.files[name].write_table(table, row_group_size=ROW_GROUP)

    def close(self) -> None:
        for file in self.files.values():
            file.close()


def mlmd_ddl_statements() -> tuple[list[str], list[str]]:
    creates, indexes = [], []
    for stmt in DDL.read_text().split(";"):
        stmt = stmt.strip()
        if not stmt or "sqlite_sequence" in stmt:  # SQLite makes that table itself
            continue
        (indexes if stmt.upper().startswith("CREATE INDEX") else creates).append(stmt)
    return creates, indexes


class SqliteWriter:
    """A schema-version-10 MLMD store with MLMD's own DDL (indexes built after the load)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.unlink()
        self.con = sqlite3.connect(path)
        self.con.execute("PRAGMA journal_mode=OFF")
        self.con.execute("PRAGMA synchronous=OFF")
        creates, self.indexes = mlmd_ddl_statements()
        for stmt in creates:
            self.con.execute(stmt)

    def put(self, name: str, table: pa.Table) -> None:
        cols = column_names(name)
        sql = (
            f"INSERT INTO `{name}` ({', '.join(f'`{c}`' for c in cols)}) "
            f"VALUES ({', '.join('?' for _ in cols)})"
        )
        # EventPath has no order column: insertion order (rowid) is the step order.
        for batch in table.to_batches(max_chunksize=SQLITE_BATCH):
            data = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            self.con.executemany(sql, zip(*data, strict=True))

    def close(self) -> None:
        for stmt in self.indexes:
            self.con.execute(stmt)
        self.con.commit()
        self.con.close()
