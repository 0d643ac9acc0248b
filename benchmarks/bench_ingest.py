"""Ingest throughput: rows per second copying a big MLMD store to the raw layer, per backend.

Makes an SQLite store of at least --rows rows by replicating the bundled real store with
shifted ids (every table, so the copy stays a valid MLMD store), loads it into a
throwaway local MariaDB and PostgreSQL server (python/tests/db_servers.py; the Debian
packages must be installed: scripts/ensure_db_servers.sh), then times `ingest_mlmd` on
each, in a subprocess of its own so the peak RSS printed is that ingest's. One line per
backend.

    .venv/bin/python benchmarks/bench_ingest.py --rows 1000000
    .venv/bin/python benchmarks/bench_ingest.py --rows 1000000 --backends sqlite
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from graphlets import mlmd_schema
from graphlets.paths import BUNDLED_STORE

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python" / "tests"))
from db_servers import Server, start_mariadb, start_postgres  # noqa: E402

DUMPS = REPO / "python" / "tests" / "fixtures" / "mlmd"
BACKENDS = ("sqlite", "mariadb", "postgresql")
# Run in a fresh interpreter: the time and peak RSS of one ingest alone (the drivers are
# imported before the clock starts: a one-off cost of about a second, not per row).
TIMED = """
import json, resource, sys, time
from pathlib import Path
import adbc_driver_postgresql.dbapi, adbc_driver_sqlite.dbapi, connectorx, pymysql
from graphlets.ingest import ingest_mlmd
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
started, cpu_started = time.perf_counter(), cpu()
summary = ingest_mlmd(sys.argv[1], Path(sys.argv[2]))
seconds, cpu_seconds = time.perf_counter() - started, cpu() - cpu_started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rows": summary.rows_total, "seconds": seconds, "cpu": cpu_seconds,
                  "peak_mb": peak}))
"""

# Columns holding ids that must shift with each copy.
ID_COLUMNS = {
    "Artifact": ["id"],
    "Execution": ["id"],
    "Context": ["id"],
    "Event": ["id", "artifact_id", "execution_id"],
    "EventPath": ["event_id"],
    "ArtifactProperty": ["artifact_id"],
    "ExecutionProperty": ["execution_id"],
    "ContextProperty": ["context_id"],
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
        while (
            sum(
                con.execute(f"SELECT count(*) FROM `{t}`").fetchone()[0] for t in mlmd_schema.TABLES
            )
            < min_rows
        ):
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


def timed_ingest(url: str, raw: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", TIMED, url, str(raw)], capture_output=True, text=True, check=True
    )
    shutil.rmtree(raw, ignore_errors=True)
    return json.loads(done.stdout)


def server_cpu(server: Server | None) -> float:
    """CPU seconds the server has used, its exited children (PostgreSQL's backends) too."""
    if server is None:
        return 0.0
    fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return (utime + stime + cutime + cstime) / os.sysconf("SC_CLK_TCK")


def server_for(backend: str, store: Path) -> Server:
    server = start_mariadb() if backend == "mariadb" else start_postgres()
    dump = DUMPS / f"tfx_small.{server.scheme}.sql"
    server.load_store("bench", store, dump)
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "big.sqlite"
        rows = make_store(store, args.rows)
        print(f"store: {rows:,} rows ({store.stat().st_size / 1e6:,.0f} MB as SQLite)")
        for backend in args.backends:
            server = None if backend == "sqlite" else server_for(backend, store)
            try:
                url = str(store) if server is None else server.url("bench")
                server_started = server_cpu(server)
                got = timed_ingest(url, Path(tmp) / "raw")
                time.sleep(0.5)  # a PostgreSQL backend's CPU counts once the server reaps it
                got["server_cpu"] = server_cpu(server) - server_started
            finally:
                if server is not None:
                    server.stop()
            assert got["rows"] == rows, (backend, got["rows"], rows)
            # CPU seconds of the ingest and of the server: on a machine shared with
            # other work, wall time says as much about the others as about the ingest.
            print(
                f"{backend:<10} {got['seconds']:6.2f} s  {rows / got['seconds']:>11,.0f} rows/s"
                f"  CPU: client {got['cpu']:.2f} s, server {got['server_cpu']:.2f} s"
                f"  peak RSS {got['peak_mb']:,.0f} MB"
            )


if __name__ == "__main__":
    main()
