"""The truth file: what the simulator knows of each model graphlet, its outcome by the
spec's rules applied to what the store records (docs/simulator.md, "Truth file")."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

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
from .fleet import TEMPLATES, Fleet
from .runs import Runs, later_trainer

# The nodes that consume a trained Model as such (not as a baseline or warm start).
DOWNSTREAM = (EVAL, INFRA, PUSHER, BULK)


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


def truth_table(fleet: Fleet, runs: Runs, info: dict) -> pa.Table:
    """One row per non-cached trainer execution (= one model graphlet), its outcome by
    the spec's rules (docs/definitions.md §2) on what the store records."""
    st = runs.stat[:, TRAINER]
    is_graphlet = (st > 0) & (st != CACHED)
    rows = np.nonzero(is_graphlet)[0]
    rows = rows[np.argsort(info["eid"][rows, TRAINER], kind="stable")]
    p = runs.pipe[rows]
    state = st[rows].astype(np.int64)
    failed = (state == FAILED) | (state == CANCELED)
    training = (state == RUNNING) | (state == NEW)
    consumed, consumed_unfinished = _downstream_of_models(runs)
    consumed, consumed_unfinished = consumed[rows], consumed_unfinished[rows]
    later_graphlet = later_trainer(runs.pipe, is_graphlet)[rows]
    blessed = runs.model_blessed[rows]
    outcome = np.select(
        [
            failed,
            training,
            runs.model_pushed[rows],
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
