"""A fleet simulator that writes real MLMD tables the way TFX records pipeline runs.

`simulate()` plans a fleet of pipelines (fleet.py), simulates every run node by node with
numpy (runs.py), expands the runs into the 15 MLMD tables (tables.py) and writes them as
the raw layer (one Parquet file per table) or as a schema-version-10 MLMD SQLite file
(writers.py). What the simulator knows about causes (drift regime, structure and code
changes, the push decision) goes only to a separate truth file (truth.py). See
docs/simulator.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..mlmd_schema import TABLES
from .fleet import plan_fleet
from .presets import DAY_MS, PRESETS, WINDOW_START_MS, SimulationError, resolve
from .runs import simulate_runs
from .tables import Sink, build_tables, write_registry
from .truth import truth_table
from .writers import ParquetWriter, SqliteWriter, write_parquet_table

__all__ = ["PRESETS", "SimulationSummary", "simulate", "truth_path_for"]


@dataclass(frozen=True)
class SimulationSummary:
    preset: str
    seed: int
    format: str
    out: Path
    truth_path: Path
    pipelines: int
    days: int
    runs: int
    trainer_runs: int
    executions: int
    artifacts: int
    events: int
    rows_total: int
    rows_by_table: dict[str, int]
    share_not_pushed: float
    seconds: float


def truth_path_for(out: Path, fmt: str) -> Path:
    out = Path(out)
    if fmt == "sqlite":
        return out.with_suffix(".truth.parquet")
    return out.parent / "simulation_truth.parquet"


# Pipelines simulated and written at a time: memory follows a chunk, not the fleet. A
# fleet's bytes depend on it (each chunk after the first draws from streams of its own).
PIPELINES_PER_CHUNK = 250


def simulate(
    out: Path,
    *,
    preset: str = "small",
    pipelines: int | None = None,
    days: int | None = None,
    seed: int = 0,
    fmt: str = "parquet",
    progress: Callable[[str], None] | None = None,
    pipelines_per_chunk: int = PIPELINES_PER_CHUNK,
) -> SimulationSummary:
    """Simulate a fleet and write it: fmt="parquet" -> `out` is the raw directory (15
    Parquet files); fmt="sqlite" -> `out` is an MLMD SQLite file. Same seed, same bytes.

    The fleet is planned whole, then simulated and written a chunk of pipelines at a
    time (pipelines never interact), so memory does not grow with the fleet."""
    if fmt not in ("parquet", "sqlite"):
        raise SimulationError(f"unknown format {fmt!r}; use parquet or sqlite")
    say = progress or (lambda _msg: None)
    began = time.perf_counter()
    chosen = resolve(preset, pipelines, days)
    out = Path(out)
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4)]
    t0 = WINDOW_START_MS
    t_end = t0 + chosen.days * DAY_MS
    fleet = plan_fleet(chosen, rngs[0], t0, t_end)
    writer = ParquetWriter(out) if fmt == "parquet" else SqliteWriter(out)
    sink = Sink(writer.put)
    truths, runs_total = [], 0
    try:
        write_registry(sink)
        for chunk, lo in enumerate(range(0, fleet.n, pipelines_per_chunk)):
            hi = min(lo + pipelines_per_chunk, fleet.n)
            part = fleet.subset(lo, hi)
            runs_rng, tables_rng = _chunk_rngs(seed, chunk, rngs)
            runs = simulate_runs(part, chosen, runs_rng, t_end)
            info = build_tables(part, runs, tables_rng, sink)
            truths.append(truth_table(part, runs, info))
            runs_total += int(np.count_nonzero(info["run_ctx"] >= 0))
            sink.next_chunk()
            say(f"pipelines {hi:,} of {fleet.n:,}: {sum(sink.rows.values()):,} rows")
            del runs, info  # before the next chunk is built beside them
    finally:
        writer.close()
    truth = pa.concat_tables(truths)
    truth_path = truth_path_for(out, fmt)
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    write_parquet_table(truth, truth_path)
    rows = {name: sink.rows[name] for name in TABLES}
    decided = ~np.asarray(truth.column("pending"))
    pushed = np.asarray(truth.column("pushed"))
    share = float(1.0 - pushed[decided].mean()) if decided.any() else float("nan")
    return SimulationSummary(
        preset=chosen.name,
        seed=seed,
        format=fmt,
        out=out,
        truth_path=truth_path,
        pipelines=fleet.n,
        days=chosen.days,
        runs=runs_total,
        trainer_runs=truth.num_rows,
        executions=rows["Execution"],
        artifacts=rows["Artifact"],
        events=rows["Event"],
        rows_total=sum(rows.values()),
        rows_by_table=rows,
        share_not_pushed=share,
        seconds=time.perf_counter() - began,
    )


def _chunk_rngs(
    seed: int, chunk: int, rngs: list[np.random.Generator]
) -> tuple[np.random.Generator, np.random.Generator]:
    """The random streams of a chunk's runs and tables: the fleet's own for the first chunk
    (a fleet of one chunk is what it was before chunking), streams of its own for later
    ones."""
    if chunk == 0:
        return rngs[1], rngs[2]
    runs_seq, tables_seq = np.random.SeedSequence(seed, spawn_key=(4, chunk)).spawn(2)
    return np.random.default_rng(runs_seq), np.random.default_rng(tables_seq)
