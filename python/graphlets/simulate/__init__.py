"""A fleet simulator that writes real MLMD tables the way TFX records pipeline runs.

`simulate()` plans a fleet of pipelines (fleet.py), simulates every run node by node with
numpy (runs.py), expands the runs into the 15 MLMD tables (tables.py) and writes them as
the raw layer (one Parquet file per table) or as a schema-version-10 MLMD SQLite file
(writers.py). What the simulator knows about causes (drift regime, structure and code
changes, the push decision) goes only to a separate truth file. See docs/simulator.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from ..mlmd_schema import TABLES
from .components import (
    BULK,
    CACHED,
    CANCELED,
    COMPLETE,
    EVAL,
    EXGEN,
    FAILED,
    INFRA,
    NEW,
    PUSHER,
    RUNNING,
    TRAINER,
)
from .fleet import TEMPLATES, Fleet, plan_fleet
from .presets import DAY_MS, PRESETS, WINDOW_START_MS, SimulationError, resolve
from .runs import Runs, later_trainer, simulate_runs
from .tables import Sink, build_tables, write_registry
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

# The nodes that consume a trained Model as such (not as a baseline or warm start).
DOWNSTREAM = (EVAL, INFRA, PUSHER, BULK)


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
            truths.append(_truth(part, runs, info))
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


def _downstream_of_models(runs: Runs) -> tuple[np.ndarray, np.ndarray]:
    """Per run, for the Model its trainer made: whether any execution consumed it (the
    spec's D(T): Evaluator, InfraValidator, Pusher, BulkInferrer, in its own run or in a
    later one whose trainer reused it from cache), and whether one of them is still
    RUNNING or NEW. A CANCELED execution records no events, as in TFX, so it consumed
    nothing; a Model read as a baseline or a warm start is not consumed either (those
    keys end a graphlet)."""
    model_run = runs.src[:, TRAINER]
    states = runs.stat[:, list(DOWNSTREAM)]
    ran = ((states > 0) & (states != CANCELED)).any(axis=1)
    unfinished = np.isin(states, (NEW, RUNNING)).any(axis=1)
    consumed = np.zeros(runs.n, dtype=bool)
    consumed_unfinished = np.zeros(runs.n, dtype=bool)
    used = model_run >= 0
    np.logical_or.at(consumed, model_run[used], ran[used])
    np.logical_or.at(consumed_unfinished, model_run[used], unfinished[used])
    return consumed, consumed_unfinished


def _truth(fleet: Fleet, runs: Runs, info: dict) -> pa.Table:
    """One row per non-cached trainer execution (= one model graphlet), its outcome by
    the spec's rules (docs/definitions.md §2) on what the store records."""
    st = runs.stat[:, TRAINER]
    rows = np.nonzero((st > 0) & (st != CACHED))[0]
    rows = rows[np.argsort(info["eid"][rows, TRAINER], kind="stable")]
    p = runs.pipe[rows]
    state = st[rows].astype(np.int64)
    failed = (state == FAILED) | (state == CANCELED)
    training = (state == RUNNING) | (state == NEW)
    consumed, consumed_unfinished = _downstream_of_models(runs)
    consumed, consumed_unfinished = consumed[rows], consumed_unfinished[rows]
    later_graphlet = later_trainer(runs.pipe, (st > 0) & (st != CACHED))[rows]
    # A ModelBlessing exists once the deciding Evaluator completed (the window can cut it).
    decision = np.maximum(runs.decision_run[rows], 0)
    blessed = (
        runs.model_blessed[rows]
        & (runs.decision_run[rows] >= 0)
        & (runs.stat[decision, EVAL] == COMPLETE)
    )
    pushed = runs.model_pushed[rows] & ~failed & ~training
    outcome = np.select(
        [
            failed,
            training,
            pushed,
            ~later_graphlet & (~consumed | consumed_unfinished),
            blessed,
            consumed,
        ],
        [
            "training_failed",
            "pending",
            "pushed",
            "pending",
            "blessed_not_pushed",
            "not_blessed",
        ],
        "no_evaluation",
    )
    pending = outcome == "pending"
    names = np.array(fleet.names, dtype=object)
    cols = {
        "trainer_execution_id": pa.array(info["eid"][rows, TRAINER]),
        "pipeline": pa.array(names[p], pa.string()),
        "template": pa.array(np.array(TEMPLATES, dtype=object)[fleet.template[p]], pa.string()),
        "run_index": pa.array(runs.k[rows]),
        "trained_at_ms": pa.array(runs.create_ms[rows, TRAINER]),
        "trainer_state": pa.array(state),
        "period_hours": pa.array(fleet.period_ms[p] / 3_600_000.0),
        "window": pa.array(fleet.window[p]),
        "warm_start": pa.array(fleet.warm[p]),
        "cache_off_slot": pa.array(fleet.cache_off[p]),
        "span": pa.array(runs.span[rows]),
        "no_new_data": pa.array(runs.stat[rows, EXGEN] == CACHED),
        "drift_score": pa.array(np.round(runs.drift[rows], 4)),
        "drifting": pa.array(runs.drifting[rows]),
        "num_anomalies": pa.array(runs.anomalies[rows]),
        "structure_change": pa.array(runs.struct_change[rows]),
        "code_change": pa.array(runs.code_change[rows]),
        "code_version": pa.array(runs.code_version[rows]),
        "days_since_last_push": pa.array(runs.days_since_push[rows]),
        "bless_probability": pa.array(runs.bless_prob[rows]),
        "evaluated": pa.array(runs.judged[rows]),
        "blessed": pa.array(blessed & ~pending),
        "pushed": pa.array(outcome == "pushed"),
        "pending": pa.array(pending),
        "outcome": pa.array(outcome.astype(object), pa.string()),
        "trainer_complete": pa.array(state == COMPLETE),
    }
    return pa.table(cols)
