"""Benchmark the whole warehouse: simulate (or ingest) and build paper-shaped fleets.

    .venv/bin/python benchmarks/bench_build.py                          # 3,000 pipelines
    .venv/bin/python benchmarks/bench_build.py 750 1500 3000 6000       # cost growth
    .venv/bin/python benchmarks/bench_build.py 300 --format sqlite      # ingest mlmd + build
    .venv/bin/python benchmarks/bench_build.py 3000 --models 25         # where each second goes

For each fleet size (pipelines of the `paper` preset): `graphlets simulate`, then, with
`--format sqlite`, `graphlets ingest mlmd` of the simulated SQLite store, then
`graphlets build` (every model, seed and data test). Each command runs in its
own process; the line shows its wall time, CPU time and peak RSS, the raw rows, graphlets
and the build's CPU seconds per million raw rows (flat when cost grows linearly). `--models N` then
lists the N slowest nodes of the last build, from dbt's own run results, with the time
per layer. Data dirs go under `--work-dir` (default: a temporary folder; a 6,000-pipeline
fleet needs about 20 GB of disk) and are removed unless `--keep`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

GRAPHLETS = Path(__file__).resolve().parents[1] / ".venv" / "bin" / "graphlets"


@dataclass
class Step:
    seconds: float
    cpu_seconds: float  # user + system: what the step costs, whatever else runs
    peak_gib: float


def run_step(*args: str) -> Step:
    """Run one `graphlets` command: its wall time, CPU time and peak RSS."""
    started = time.perf_counter()
    process = subprocess.Popen([str(GRAPHLETS), *args], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"graphlets {' '.join(args)} failed")
    return Step(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 2**20)  # KiB


def layer(unique_id: str, path: str) -> str:
    """staging / intermediate / marts for models, else the node's kind."""
    kind = unique_id.split(".")[0]
    if kind == "model":
        return path.split("/")[0]
    return {"test": "data tests"}.get(kind, kind)


def node_timings(data_dir: Path) -> list[tuple[float, str, str]]:
    """(seconds, layer, name) of every node of the last build, slowest first."""
    results = json.loads((data_dir / "target" / "run_results.json").read_text())
    manifest = json.loads((data_dir / "target" / "manifest.json").read_text())
    nodes = manifest["nodes"]
    timings = []
    for result in results["results"]:
        node = nodes.get(result["unique_id"], {})
        timings.append(
            (
                result["execution_time"],
                layer(result["unique_id"], node.get("path", "")),
                node.get("name", result["unique_id"]),
            )
        )
    return sorted(timings, reverse=True)


def fleet_counts(data_dir: Path) -> tuple[int, int]:
    """(raw rows, graphlets) of a built data dir."""
    manifest = json.loads((data_dir / "raw" / "_manifest.json").read_text())
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        graphlets = con.execute("select count(*) from marts.fct_graphlets").fetchone()[0]
    return sum(manifest["rows_by_table"].values()), graphlets


def bench(pipelines: int, fmt: str, work_dir: Path) -> tuple[dict, Path]:
    data_dir = work_dir / f"paper-{pipelines}"
    shutil.rmtree(data_dir, ignore_errors=True)
    common = ("--data-dir", str(data_dir))
    figures: dict = {"pipelines": pipelines}
    if fmt == "sqlite":
        store = work_dir / f"paper-{pipelines}.sqlite"
        store.unlink(missing_ok=True)
        figures["simulate"] = run_step(
            "simulate",
            "--preset",
            "paper",
            "--pipelines",
            str(pipelines),
            "--format",
            "sqlite",
            "--out",
            str(store),
            *common,
        )
        figures["ingest"] = run_step("ingest", "mlmd", str(store), *common)
        store.unlink()
    else:
        figures["simulate"] = run_step(
            "simulate", "--preset", "paper", "--pipelines", str(pipelines), *common
        )
    figures["build"] = run_step("build", *common)
    figures["raw_rows"], figures["graphlets"] = fleet_counts(data_dir)
    return figures, data_dir


def print_models(timings: list[tuple[float, str, str]], top: int) -> None:
    per_layer: dict[str, float] = {}
    for seconds, group, _ in timings:
        per_layer[group] = per_layer.get(group, 0.0) + seconds
    print("\n| layer | seconds |\n|---|---|")
    for group, seconds in sorted(per_layer.items(), key=lambda item: -item[1]):
        print(f"| {group} | {seconds:.1f} |")
    print(f"\n| node ({top} slowest) | layer | seconds |\n|---|---|---|")
    for seconds, group, name in timings[:top]:
        print(f"| `{name}` | {group} | {seconds:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pipelines", nargs="*", type=int, default=[3000])
    parser.add_argument("--format", default="parquet", choices=["parquet", "sqlite"])
    parser.add_argument("--work-dir", type=Path, help="where the data dirs go")
    parser.add_argument("--keep", action="store_true", help="keep the data dirs")
    parser.add_argument("--models", type=int, default=0, help="list the N slowest nodes")
    args = parser.parse_args()
    work_dir = args.work_dir or Path(tempfile.mkdtemp(prefix="bench_build."))
    work_dir.mkdir(parents=True, exist_ok=True)
    print("Each step: wall seconds (CPU seconds, peak GiB).", flush=True)
    ingest_column = "| ingest " if args.format == "sqlite" else ""
    header = f"| pipelines | raw rows | graphlets | simulate {ingest_column}| build "
    print(header + "| build CPU s per M rows |")
    print("|---" * (7 if args.format == "sqlite" else 6) + "|", flush=True)
    for pipelines in args.pipelines:
        figures, data_dir = bench(pipelines, args.format, work_dir)
        steps = (
            ["simulate", "ingest", "build"] if args.format == "sqlite" else ["simulate", "build"]
        )
        cells = " | ".join(
            f"{figures[s].seconds:.1f} ({figures[s].cpu_seconds:.0f}, {figures[s].peak_gib:.2f})"
            for s in steps
        )
        per_million = figures["build"].cpu_seconds / (figures["raw_rows"] / 1e6)
        print(
            f"| {pipelines:,} | {figures['raw_rows']:,} | {figures['graphlets']:,} | {cells} "
            f"| {per_million:.2f} |",
            flush=True,
        )
        if args.models and pipelines == args.pipelines[-1]:
            print_models(node_timings(data_dir), args.models)
        if not args.keep:
            shutil.rmtree(data_dir)
    if not args.keep and not args.work_dir:
        shutil.rmtree(work_dir)


if __name__ == "__main__":
    main()
