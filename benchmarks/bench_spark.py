"""Benchmark the whole build on Spark (local[N]) against DuckDB, and where the time goes.

    .venv/bin/python benchmarks/bench_spark.py                    # simulate `small`
    .venv/bin/python benchmarks/bench_spark.py --preset tiny
    .venv/bin/python benchmarks/bench_spark.py --master 'local[2]' DATA_DIR   # a raw/ folder

Both builds run `graphlets build` (models, seed, data tests) in a process
of their own on the same raw layer. From each build's run_results.json: the time in
models, in data tests, the rest (process and JVM start-up, dbt's parsing,
Spark's metastore calls between nodes), the slowest models, and the raw rows read,
from which docs/spark.md sizes a cluster for the paper preset.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import duckdb


def simulate(preset: str, root: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "graphlets.cli",
            "simulate",
            "--preset",
            preset,
            "--data-dir",
            str(root),
        ],
        check=True,
        capture_output=True,
    )


def raw_rows(raw: Path) -> int:
    pattern = str(raw / "*.parquet").replace("'", "''")
    sql = f"select sum(num_rows) from parquet_file_metadata('{pattern}')"
    return int(duckdb.connect().execute(sql).fetchall()[0][0])


def timed_build(root: Path, target: str, env: dict[str, str]) -> dict[str, object]:
    started = time.perf_counter()
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "graphlets.cli",
            "build",
            "--target",
            target,
            "--data-dir",
            str(root),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    wall = time.perf_counter() - started
    if completed.returncode != 0:
        sys.exit(f"{target} build failed:\n{completed.stdout}\n{completed.stderr}")
    results = json.loads((root / "target" / "run_results.json").read_text())["results"]
    by_kind: dict[str, float] = defaultdict(float)
    models = []
    for node in results:
        kind = node["unique_id"].split(".")[0]
        by_kind[kind] += node["execution_time"]
        if kind == "model":
            models.append((node["execution_time"], node["unique_id"].split(".")[-1]))
    return {"wall": wall, "by_kind": dict(by_kind), "slowest": sorted(models, reverse=True)[:6]}


def report(name: str, build: dict[str, object]) -> None:
    wall = float(build["wall"])
    by_kind = build["by_kind"]
    assert isinstance(by_kind, dict)
    models = by_kind.get("model", 0.0)
    tests = by_kind.get("test", 0.0)
    rest = wall - sum(by_kind.values())
    print(
        f"{name}: {wall:.1f} s = models {models:.1f} s + tests {tests:.1f} s "
        f"+ start-up, parsing and between nodes {rest:.1f} s"
    )
    slowest = build["slowest"]
    assert isinstance(slowest, list)
    print(
        "  slowest models: " + ", ".join(f"{model} {seconds:.1f} s" for seconds, model in slowest)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, help="a data dir with raw/")
    parser.add_argument("--preset", default="small")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--shuffle-partitions", default="4")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_spark_") as scratch:
        on_duckdb, on_spark = Path(scratch) / "duckdb", Path(scratch) / "spark"
        if args.data_dir:
            raw = args.data_dir.resolve() / "raw"
        else:
            simulate(args.preset, on_duckdb)
            raw = on_duckdb / "raw"
        for root in (on_duckdb, on_spark):
            root.mkdir(exist_ok=True)
            if not (root / "raw").exists():
                (root / "raw").symlink_to(raw, target_is_directory=True)
        print(f"raw layer: {raw_rows(raw):,} rows ({args.data_dir or args.preset})")
        report("duckdb", timed_build(on_duckdb, "duckdb", {}))
        report(
            f"spark {args.master}",
            timed_build(
                on_spark,
                "spark",
                {
                    "GRAPHLETS_SPARK_MASTER": args.master,
                    "GRAPHLETS_SPARK_SHUFFLE_PARTITIONS": args.shuffle_partitions,
                },
            ),
        )


if __name__ == "__main__":
    main()
