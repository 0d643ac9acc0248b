"""Ingest throughput: rows per second copying a big MLMD SQLite store to the raw layer.

Makes a store of at least --rows rows by replicating the bundled real store with
shifted ids (every table, so the copy stays a valid MLMD store), then times
`ingest_sqlite` on it.

    .venv/bin/python benchmarks/bench_ingest.py --rows 1000000
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from graphlets import mlmd_schema
from graphlets.ingest import ingest_sqlite
from graphlets.paths import BUNDLED_STORE

# Columns holding ids that must shift with each copy.
ID_COLUMNS = {
    "Artifact": ["id"], "Execution": ["id"], "Context": ["id"], "Event": ["id", "artifact_id",
    "execution_id"], "EventPath": ["event_id"], "ArtifactProperty": ["artifact_id"],
    "ExecutionProperty": ["execution_id"], "ContextProperty": ["context_id"],
    "Attribution": ["id", "context_id", "artifact_id"],
    "Association": ["id", "context_id", "execution_id"],
    "ParentContext": ["context_id", "parent_context_id"],
}


def make_store(target: Path, min_rows: int) -> int:
    shutil.copy(BUNDLED_STORE, target)
    with sqlite3.connect(target) as con:
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        for (name,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).fetchall():
            con.execute(f'DROP INDEX "{name}"')
        base = {t: con.execute(f"SELECT * FROM `{t}`").fetchall() for t in ID_COLUMNS}
        shift = 100_000  # ids stay within MySQL and PostgreSQL INT
        copies = 0
        while sum(
            con.execute(f"SELECT count(*) FROM `{t}`").fetchone()[0] for t in mlmd_schema.TABLES
        ) < min_rows:
            copies += 1
            for table, shifted in ID_COLUMNS.items():
                columns = mlmd_schema.column_names(table)
                select = ", ".join(
                    f"`{c}` + {copies * shift}" if c in shifted else f"`{c}`" for c in columns
                )
                names = ", ".join(f"`{c}`" for c in columns)
                # Node names are unique per type: suffix the copy number.
                if table in ("Context", "Execution", "Artifact"):
                    select = select.replace("`name`", f"`name` || '#{copies}'")
                con.execute(
                    f"INSERT INTO `{table}` ({names}) SELECT {select} FROM `{table}` "
                    f"WHERE rowid <= {len(base[table])}"
                )
            con.commit()
        return sum(
            con.execute(f"SELECT count(*) FROM `{t}`").fetchone()[0] for t in mlmd_schema.TABLES
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "big.sqlite"
        rows = make_store(store, args.rows)
        size_mb = store.stat().st_size / 1e6
        started = time.perf_counter()
        summary = ingest_sqlite(store, Path(tmp) / "raw")
        seconds = time.perf_counter() - started
        assert summary.rows_total == rows
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"store: {rows:,} rows, {size_mb:,.0f} MB")
        print(
            f"ingest mlmd: {seconds:.2f} s, {rows / seconds:,.0f} rows/s, "
            f"peak RSS {peak_mb:,.0f} MB"
        )


if __name__ == "__main__":
    main()
