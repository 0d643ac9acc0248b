"""Benchmark the base models' SQL on a built data dir, as compiled and two other ways.

    python benchmarks/bench_staging.py DATA_DIR                # the nine big base models
    python benchmarks/bench_staging.py DATA_DIR events attributions --runs 2

For each base model, CPU seconds (this process: DuckDB's threads included) of:
- `compiled`: the model's compiled SQL written as a table, as a build writes it;
- `set-aside only`: the same checks, keeping only the rows set aside (quarantined or
  after `as_of`) with their reason;
- `raw not materialized`: the compiled SQL with its raw-read CTE `not materialized`
  (each check reads the Parquet file again instead of a materialised copy);
- `read base`, `read raw`: one pass over the staged rows' values, from the base table
  (as staging reads it now) and from the Parquet raw layer without the set-aside rows
  (what staging would read if the base model kept only those).

DATA_DIR must hold a warehouse that `graphlets build` wrote: its `target/` has the
compiled SQL. Tables go to a scratch DuckDB file in a temporary folder that attaches the
warehouse read-only, with a build's settings (2 threads, 6 GB). docs/benchmarks.md,
"What two minutes would take", has the figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
from pathlib import Path

import duckdb

# Base model (without `base_mlmd__`) -> its raw table.
RAW_TABLES = {
    "attributions": "Attribution",
    "associations": "Association",
    "event_paths": "EventPath",
    "events": "Event",
    "artifact_properties": "ArtifactProperty",
    "execution_properties": "ExecutionProperty",
    "artifacts": "Artifact",
    "executions": "Execution",
    "contexts": "Context",
}
COMPILED = Path("target/compiled/graphlets/models/staging/mlmd/base")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(con: duckdb.DuckDBPyConnection, sql: str) -> float:
    started = _cpu_seconds()
    con.execute(sql).fetchall()
    return _cpu_seconds() - started


def _spread(runs: list[float]) -> str:
    """One run's CPU seconds, or the lowest and highest of several."""
    low, high = min(runs), max(runs)
    return f"{low:.1f}" if len(runs) == 1 else f"{low:.1f}–{high:.1f}"


def _variants(model: str, sql: str) -> dict[str, str]:
    base = f'"warehouse"."staging"."base_mlmd__{model}"'
    raw = f"read_parquet('raw/{RAW_TABLES[model]}.parquet', file_row_number = true)"
    return {
        "compiled": f"create or replace table scratch_base as {sql}",
        "set-aside only": (
            "create or replace table scratch_set_aside as "
            "select source_row_number, quarantine_reason, is_after_as_of "
            f"from ({sql}) where quarantine_reason is not null or is_after_as_of"
        ),
        "raw not materialized": (
            "create or replace table scratch_base as "
            + sql.replace("source as (", "source as not materialized (", 1)
        ),
        "read base": (
            f"select sum(hash(columns(*))) from {base} "
            "where quarantine_reason is null and not is_after_as_of"
        ),
        "read raw": (
            f"select sum(hash(columns(*))) from {raw} as raw "
            "where not exists (select 1 from scratch_set_aside "
            "where scratch_set_aside.source_row_number = raw.file_row_number)"
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("models", nargs="*", help=f"base models, of: {', '.join(RAW_TABLES)}")
    parser.add_argument("--runs", type=int, default=1, help="runs of each statement")
    args = parser.parse_args()
    unknown = sorted(set(args.models) - set(RAW_TABLES))
    if unknown:
        parser.error(f"unknown base model(s): {', '.join(unknown)}")
    models = args.models or list(RAW_TABLES)
    data_dir = args.data_dir.resolve()
    os.chdir(data_dir)  # the compiled SQL names the raw layer relative to the data dir
    names = list(_variants("events", ""))
    print(f"{'base model':<22}" + "".join(f"{name:>22}" for name in names))
    with tempfile.TemporaryDirectory() as scratch:
        con = duckdb.connect(str(Path(scratch) / "scratch.duckdb"))
        con.execute(f"attach '{data_dir / 'warehouse.duckdb'}' as warehouse (read_only)")
        con.execute("set threads = 2; set memory_limit = '6GB'")
        con.execute("set preserve_insertion_order = false")
        for model in models:
            sql = (COMPILED / f"base_mlmd__{model}.sql").read_text()
            seconds = {
                name: [_timed(con, statement) for _ in range(args.runs)]
                for name, statement in _variants(model, sql).items()
            }
            print(
                f"{model:<22}" + "".join(f"{_spread(runs):>22}" for runs in seconds.values()),
                flush=True,
            )


if __name__ == "__main__":
    main()
