"""Row expansion: runs -> the 15 MLMD tables, exactly as TFX and MLMD would write them."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..mlmd_schema import ARROW_TYPES, SCHEMA_VERSION, TABLES, arrow_schema
from . import strings
from .components import (
    BLESSRES,
    BULK,
    CACHED,
    CANCELED,
    COMPLETE,
    CONTEXT_TYPES,
    EVAL,
    EXAMPLE_GENS,
    EXEC_TYPE,
    EXGEN,
    EXGEN_NODE_IDS,
    EXVAL,
    FAILED,
    HPIMPORT,
    INFRA,
    N_OUT,
    NODE_IDS,
    NS,
    OUTPUTS,
    PARENT_TYPES,
    PUSHER,
    RUNNING,
    SCHEMA,
    SPANRES,
    STATS,
    TRAINER,
    TRANSFORM,
    TUNER,
    TYPE_PROPERTIES,
    WARMRES,
    type_ids,
    type_rows,
)
from .fleet import TFX_VERSIONS, Fleet
from .runs import Runs

ROOT = "gs://fleet-ml-pipelines"
# StatisticsGen's `sample_rate_by_split`, a JSON value TFX 1.16 stores as a Struct
# {"__value__": "{\"eval\": 1.0, \"train\": 1.0}"} (copied from a real store).
SAMPLE_RATE_BY_SPLIT = "mlmd-struct::CioKCV9fdmFsdWVfXxIdGht7ImV2YWwiOiAxLjAsICJ0cmFpbiI6IDEuMH0="


def make_table(table: str, cols: dict[str, pa.Array | np.ndarray | None], n: int) -> pa.Table:
    arrays = []
    for name, typ in TABLES[table]:
        col = cols.get(name)
        if col is None:
            arrays.append(pa.nulls(n, ARROW_TYPES[typ]))
        elif isinstance(col, np.ndarray):
            arrays.append(pa.array(col, type=ARROW_TYPES[typ]))
        else:
            arrays.append(col.cast(ARROW_TYPES[typ]))
    return pa.Table.from_arrays(arrays, schema=arrow_schema(table))


class Props:
    """Collects EAV property rows (owner, name, is_custom, one typed value) in chunks."""

    def __init__(self) -> None:
        self.chunks: list[tuple[np.ndarray, str, int, str, object]] = []

    def add(self, owner: np.ndarray, name: str, custom: int, kind: str, value: object) -> None:
        if owner.size:
            self.chunks.append((owner, name, custom, kind, value))

    def table(self, table: str, owner_col: str) -> pa.Table:
        if not self.chunks:
            return make_table(table, {}, 0)
        names = sorted({c[1] for c in self.chunks})
        rank = {n: i for i, n in enumerate(names)}
        owners, name_codes, custom, ints, dbls = [], [], [], [], []
        # Strings as codes into one array of values: a constant is stored once, and only the
        # final column is materialised (the paper preset's peak memory is here).
        str_values: list[pa.Array] = []
        str_codes: list[np.ndarray] = []
        n_values = 0
        for owner, name, cust, kind, value in self.chunks:
            n = owner.size
            owners.append(owner)
            name_codes.append(np.full(n, rank[name], dtype=np.int32))
            custom.append(np.full(n, cust, dtype=np.int64))
            iv = pa.nulls(n, pa.int64())
            dv = pa.nulls(n, pa.float64())
            codes = np.full(n, -1, dtype=np.int64)
            if kind == "int":
                iv = pa.array(np.broadcast_to(np.asarray(value, dtype=np.int64), (n,)))
            elif kind == "double":
                dv = pa.array(np.broadcast_to(np.asarray(value, dtype=np.float64), (n,)))
            elif isinstance(value, str):
                str_values.append(pa.array([value], pa.string()))
                codes[:] = n_values
                n_values += 1
            else:
                assert isinstance(value, pa.Array)
                str_values.append(value.cast(pa.string()))
                codes = n_values + np.arange(n, dtype=np.int64)
                n_values += n
            ints.append(iv)
            dbls.append(dv)
            str_codes.append(codes)
        self.chunks = []
        values = pa.concat_arrays(str_values) if str_values else pa.array([], pa.string())
        del str_values
        own = np.concatenate(owners)
        nc = np.concatenate(name_codes)
        cu = np.concatenate(custom)
        order = np.lexsort((cu, nc, own))
        take = pa.array(order)
        codes = np.concatenate(str_codes)[order]
        missing = codes < 0
        string_value = pa.DictionaryArray.from_arrays(
            pa.array(np.where(missing, 0, codes), mask=missing if missing.any() else None), values
        ).cast(pa.string())
        cols = {
            owner_col: own[order],
            "name": strings.lookup(names, nc[order]),
            "is_custom_property": cu[order],
            "int_value": pa.concat_arrays(ints).take(take),
            "double_value": pa.concat_arrays(dbls).take(take),
            "string_value": string_value,
        }
        return make_table(table, cols, own.size)


# The columns that hold ids, by the id sequence they draw from; a table's own `id`
# column numbers its sequence.
ID_COLUMNS = {
    "Execution": {"id": "execution"},
    "Artifact": {"id": "artifact"},
    "Event": {"id": "event", "artifact_id": "artifact", "execution_id": "execution"},
    "EventPath": {"event_id": "event"},
    "Context": {"id": "context"},
    "ParentContext": {"context_id": "context", "parent_context_id": "context"},
    "Association": {"id": "association", "context_id": "context", "execution_id": "execution"},
    "Attribution": {"id": "attribution", "context_id": "context", "artifact_id": "artifact"},
    "ExecutionProperty": {"execution_id": "execution"},
    "ArtifactProperty": {"artifact_id": "artifact"},
    "ContextProperty": {"context_id": "context"},
}
NUMBERED_BY = {columns["id"]: table for table, columns in ID_COLUMNS.items() if "id" in columns}


class Sink:
    """Receives each table as soon as it is built, so that only one is held at a time.

    The fleet is built in chunks of pipelines, and a chunk numbers its rows from 1: the
    sink shifts every id past the ids of the chunks before it (`next_chunk`), so that
    each id sequence stays dense from 1 over the whole fleet."""

    def __init__(self, put: Callable[[str, pa.Table], None]) -> None:
        self.put = put
        self.rows: dict[str, int] = {}
        self.base = dict.fromkeys(NUMBERED_BY, 0)
        self.chunk_rows: dict[str, int] = {}
        # The run ids (pipeline_run context names, in microseconds) written so far.
        self.run_ids = np.zeros(0, dtype=np.int64)

    def __setitem__(self, name: str, table: pa.Table) -> None:
        for column, sequence in ID_COLUMNS.get(name, {}).items():
            if self.base[sequence]:
                i = table.schema.get_field_index(column)
                shifted = pc.add(table.column(i), self.base[sequence])
                table = table.set_column(i, table.schema.field(i), shifted)
        self.put(name, table)
        self.rows[name] = self.rows.get(name, 0) + table.num_rows
        self.chunk_rows[name] = table.num_rows

    def fleet_ids(self, sequence: str, ids: np.ndarray) -> np.ndarray:
        """A chunk's ids (0 = none) as the store numbers them, for ids written into text."""
        return np.where(ids > 0, ids + self.base[sequence], ids)

    def next_chunk(self) -> None:
        for sequence, table in NUMBERED_BY.items():
            self.base[sequence] += self.chunk_rows.get(table, 0)
        self.chunk_rows = {}


# MLMD event types and the direction of an event's edge (inputs sort before outputs).
EVENT_INPUT, EVENT_OUTPUT, EVENT_INTERNAL_OUTPUT = 3, 4, 6
INPUT, OUTPUT = 0, 1
# Context kinds, in the order MLMD opens them for an execution (CONTEXT_TYPES).
PIPELINE_CTX, RUN_CTX, NODE_CTX, CACHE_CTX = 0, 1, 2, 3


def build_tables(fleet: Fleet, runs: Runs, rng: np.random.Generator, out: Sink) -> dict:
    """Expand one chunk's runs into the MLMD tables (all but the type registry, which
    `write_registry` writes once), handing each to `out` as soon as it is built. The only
    random draws, in this order: execution names, then execution_cache context names
    (same seed, same bytes)."""
    type_id = type_ids()
    execs = _plan_executions(runs)
    out["Execution"] = _execution_table(fleet, execs, type_id, rng)
    arts = _plan_artifacts(fleet, runs, execs, out)
    out["Artifact"] = _artifact_table(execs, arts, type_id)
    events = _write_events(fleet, runs, execs, arts, out)
    contexts = _write_contexts(fleet, runs, execs, type_id, rng, out)
    out["Attribution"] = _attribution_table(runs, execs, events, contexts, arts.n)
    run_ctx = _run_contexts(runs, execs, contexts)
    del events, contexts
    out["ExecutionProperty"] = _execution_props(fleet, runs, execs, arts.tuner_execution)
    out["ArtifactProperty"] = _artifact_props(fleet, runs, arts)
    return {"eid": out.fleet_ids("execution", execs.id_of), "run_ctx": run_ctx}


def write_registry(out: Sink) -> None:
    """Type, TypeProperty, ParentType and MLMDEnv: the registry of a fresh TFX store."""
    type_id = type_ids()
    rows = type_rows()
    out["Type"] = make_table(
        "Type",
        {
            "id": np.arange(1, len(rows) + 1),
            "name": pa.array([r[0] for r in rows]),
            "type_kind": np.array([r[1] for r in rows]),
        },
        len(rows),
    )
    out["TypeProperty"] = make_table(
        "TypeProperty",
        {
            "type_id": np.array([type_id[t] for t, _, _ in TYPE_PROPERTIES]),
            "name": pa.array([n for _, n, _ in TYPE_PROPERTIES]),
            "data_type": np.array([d for _, _, d in TYPE_PROPERTIES]),
        },
        len(TYPE_PROPERTIES),
    )
    parents = [
        (type_id[EXEC_TYPE[c] if isinstance(c, int) else c], type_id[p]) for c, p in PARENT_TYPES
    ]
    out["ParentType"] = make_table(
        "ParentType",
        {
            "type_id": np.array([a for a, _ in parents]),
            "parent_type_id": np.array([b for _, b in parents]),
        },
        len(parents),
    )
    out["MLMDEnv"] = make_table("MLMDEnv", {"schema_version": np.array([SCHEMA_VERSION])}, 1)


# ---------------------------------------------------------------- executions


@dataclass
class _ExecutionRows:
    """One row per execution, in id order: runs by start time, a run's slots in order."""

    id: np.ndarray
    run: np.ndarray
    slot: np.ndarray
    pipe: np.ndarray
    state: np.ndarray
    create_ms: np.ndarray
    end_ms: np.ndarray
    id_of: np.ndarray  # (R, NS) id of the execution of (run, slot), 0 = none
    run_rank: np.ndarray  # each run's position in start-time order

    @property
    def n(self) -> int:
        return self.id.size


def _plan_executions(runs: Runs) -> _ExecutionRows:
    """Number the executions: every (run, slot) with a state, runs in start-time order."""
    run_order = np.argsort(runs.start_ms, kind="stable")
    run_rank = np.empty(runs.n, dtype=np.int64)
    run_rank[run_order] = np.arange(runs.n)
    rank_rows, slots = np.nonzero(runs.stat[run_order] > 0)
    run = run_order[rank_rows]
    slot = slots.astype(np.int64)
    ids = np.arange(1, run.size + 1, dtype=np.int64)
    id_of = np.zeros((runs.n, NS), dtype=np.int64)
    id_of[run, slot] = ids
    return _ExecutionRows(
        id=ids,
        run=run,
        slot=slot,
        pipe=runs.pipe[run],
        state=runs.stat[run, slot].astype(np.int64),
        create_ms=runs.create_ms[run, slot],
        end_ms=runs.end_ms[run, slot],
        id_of=id_of,
        run_rank=run_rank,
    )


def _execution_table(
    fleet: Fleet, execs: _ExecutionRows, type_id: dict[str, int], rng: np.random.Generator
) -> pa.Table:
    """The Execution table; names are random UUIDs (the first draw of `rng`)."""
    slot_type = np.array([type_id[EXEC_TYPE[s]] if s in EXEC_TYPE else 0 for s in range(NS)])
    example_gen_type = np.array([type_id[n] for n in EXAMPLE_GENS])
    exec_type = np.where(
        execs.slot == EXGEN, example_gen_type[fleet.exgen_kind[execs.pipe]], slot_type[execs.slot]
    )
    return make_table(
        "Execution",
        {
            "id": execs.id,
            "type_id": exec_type,
            "last_known_state": execs.state,
            "name": strings.uuid4(rng, execs.n),
            "create_time_since_epoch": execs.create_ms,
            "last_update_time_since_epoch": execs.end_ms,
        },
        execs.n,
    )


# ---------------------------------------------------------------- artifacts

OUTPUT_KEYS = sorted({key for outs in OUTPUTS.values() for key, _ in outs})


@dataclass
class _ArtifactRows:
    """One row per artifact, in id order: each COMPLETE execution's outputs, in order."""

    id: np.ndarray
    execution: np.ndarray  # row of the producing execution in _ExecutionRows
    output: np.ndarray  # position among that execution's outputs (OUTPUTS)
    run: np.ndarray
    slot: np.ndarray
    pipe: np.ndarray
    uri: pa.Array
    first_of: np.ndarray  # (R, NS) id of the first output of (run, slot), 0 = none
    tuner_execution: np.ndarray  # per pipeline: its first run's Tuner execution (store id)

    @property
    def n(self) -> int:
        return self.id.size


def _plan_artifacts(fleet: Fleet, runs: Runs, execs: _ExecutionRows, out: Sink) -> _ArtifactRows:
    """Number the artifacts: a COMPLETE execution publishes all of its outputs. Their URIs
    (and `tuner_execution`) hold execution ids as the store numbers them."""
    n_new = np.where(execs.state == COMPLETE, np.array(N_OUT)[execs.slot], 0)
    first_id = 1 + np.cumsum(n_new) - n_new
    first_of = np.zeros((runs.n, NS), dtype=np.int64)
    first_of[execs.run, execs.slot] = np.where(n_new > 0, first_id, 0)
    execution = np.repeat(np.arange(execs.n), n_new)
    ids = np.arange(1, execution.size + 1, dtype=np.int64)
    output = ids - first_id[execution]
    slot = execs.slot[execution]
    pipe = execs.pipe[execution]
    tuner_execution = out.fleet_ids("execution", _first_tuner_execution(fleet, runs, execs))
    exec_id = out.fleet_ids("execution", execs.id[execution])
    uri = _artifact_uris(fleet, exec_id, slot, output, pipe, tuner_execution)
    return _ArtifactRows(
        id=ids,
        execution=execution,
        output=output,
        run=execs.run[execution],
        slot=slot,
        pipe=pipe,
        uri=uri,
        first_of=first_of,
        tuner_execution=tuner_execution,
    )


def _first_tuner_execution(fleet: Fleet, runs: Runs, execs: _ExecutionRows) -> np.ndarray:
    """Per pipeline, the id of its first run's Tuner execution (0 = none)."""
    if not runs.n:
        return np.zeros(fleet.n, dtype=np.int64)
    first_run = np.searchsorted(runs.pipe, np.arange(fleet.n)).clip(0, max(runs.n - 1, 0))
    return execs.id_of[first_run, TUNER]


def _artifact_uris(
    fleet: Fleet,
    exec_id: np.ndarray,
    slot: np.ndarray,
    output: np.ndarray,
    pipe: np.ndarray,
    tuner_execution: np.ndarray,
) -> pa.Array:
    """uri = {pipeline_root}/{node_id}/{output_key}/{execution_id}; the importer's result
    points at the Tuner's best_hyperparameters (the file it imports)."""
    n_keys = len(OUTPUT_KEYS)
    key_code = np.full((NS, 2), -1, dtype=np.int64)
    for s, outs in OUTPUTS.items():
        for j, (key, _) in enumerate(outs):
            key_code[s, j] = OUTPUT_KEYS.index(key)
    imported = slot == HPIMPORT
    uri_exec = np.where(imported, tuner_execution[pipe], exec_id)
    node_key = [f"{NODE_IDS[s]}/{k}" for s in range(NS) for k in OUTPUT_KEYS]
    node_key += [f"{node}/examples" for node in EXGEN_NODE_IDS]
    code = slot * n_keys + key_code[slot, output]
    code = np.where(imported, TUNER * n_keys + OUTPUT_KEYS.index("best_hyperparameters"), code)
    code = np.where(slot == EXGEN, NS * n_keys + fleet.exgen_kind[pipe], code)
    pipe_root = strings.lookup([f"{ROOT}/{p}" for p in fleet.names], pipe)
    return strings.join(pipe_root, strings.lookup(node_key, code), uri_exec, sep="/")


def _artifact_table(
    execs: _ExecutionRows, arts: _ArtifactRows, type_id: dict[str, int]
) -> pa.Table:
    """The Artifact table: every artifact LIVE, created when its execution ended."""
    type_code = np.zeros((NS, 2), dtype=np.int64)
    for s, outs in OUTPUTS.items():
        for j, (_, artifact_type) in enumerate(outs):
            type_code[s, j] = type_id[artifact_type]
    created = execs.end_ms[arts.execution]
    return make_table(
        "Artifact",
        {
            "id": arts.id,
            "type_id": type_code[arts.slot, arts.output],
            "uri": arts.uri,
            "state": np.full(arts.n, 2),
            "create_time_since_epoch": created,
            "last_update_time_since_epoch": created,
        },
        arts.n,
    )


# ---------------------------------------------------------------- events


def _run_artifact(first_of: np.ndarray, run: np.ndarray, s: int, output: int = 0) -> np.ndarray:
    """Per row, the id of output `output` of slot `s` in run `run` (run -1 -> 0 = none)."""
    return np.where(run >= 0, first_of[np.maximum(run, 0), s] + output, 0)


def _used_output(runs: Runs, first_of: np.ndarray, s: int, output: int = 0) -> np.ndarray:
    """Per run, the id of output `output` of the execution whose outputs the run uses at
    slot `s` (its own if COMPLETE, its source's if CACHED; 0 = none)."""
    return _run_artifact(first_of, runs.src[:, s], s, output)


@dataclass
class _ConsumedArtifacts:
    """Per run, the id of each artifact its components read (0 = none): the outputs of the
    execution each upstream slot's `src` points at, and what the resolvers hand on."""

    examples: np.ndarray
    statistics: np.ndarray
    schema: np.ndarray
    transform_graph: np.ndarray
    transformed_examples: np.ndarray
    hyperparameters: np.ndarray
    model: np.ndarray
    model_blessing: np.ndarray
    infra_blessing: np.ndarray
    warm_model: np.ndarray
    baseline_model: np.ndarray
    baseline_blessing: np.ndarray

    @classmethod
    def of(cls, runs: Runs, first_of: np.ndarray) -> _ConsumedArtifacts:
        return cls(
            examples=_used_output(runs, first_of, EXGEN),
            statistics=_used_output(runs, first_of, STATS),
            schema=_used_output(runs, first_of, SCHEMA),
            transform_graph=_used_output(runs, first_of, TRANSFORM, 0),
            transformed_examples=_used_output(runs, first_of, TRANSFORM, 1),
            hyperparameters=np.maximum(
                _used_output(runs, first_of, TUNER), _used_output(runs, first_of, HPIMPORT)
            ),
            model=_used_output(runs, first_of, TRAINER),
            model_blessing=_used_output(runs, first_of, EVAL, 1),
            infra_blessing=_used_output(runs, first_of, INFRA),
            warm_model=_run_artifact(first_of, runs.warm_run, TRAINER),
            baseline_model=_run_artifact(first_of, runs.base_run, TRAINER),
            baseline_blessing=_run_artifact(first_of, runs.base_bless_run, EVAL, 1),
        )


@dataclass
class _SpanWindow:
    """The Examples a run's span window covers: the latest `size` Examples its pipeline
    produced up to and including the run."""

    produced: np.ndarray  # Examples ids, pipeline by pipeline, in run order
    pipeline_start: np.ndarray  # per run: where its pipeline's Examples start in `produced`
    count: np.ndarray  # per run: Examples its pipeline produced so far
    size: np.ndarray  # per run: Examples in its window (0 = no window)

    @classmethod
    def of(cls, fleet: Fleet, runs: Runs, first_of: np.ndarray) -> _SpanWindow:
        produced_here = runs.stat[:, EXGEN] == COMPLETE
        producers = np.nonzero(produced_here)[0]
        so_far = np.cumsum(produced_here)
        first_of_pipe = np.searchsorted(runs.pipe, runs.pipe)
        count = so_far - (so_far[first_of_pipe] - produced_here[first_of_pipe])
        size = np.minimum(fleet.window[runs.pipe], count)
        return cls(
            produced=first_of[producers, EXGEN],
            pipeline_start=np.searchsorted(runs.pipe[producers], runs.pipe),
            count=count,
            size=np.where(runs.src[:, EXGEN] >= 0, size, 0),
        )

    def items(self, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For the runs in `mask`, one row per window item: (run, index, artifact id)."""
        rows = np.nonzero(mask & (self.size > 0))[0]
        n_items = self.size[rows]
        run = np.repeat(rows, n_items)
        index = np.arange(run.size) - np.repeat(np.cumsum(n_items) - n_items, n_items)
        artifacts = self.produced[
            self.pipeline_start[run] + self.count[run] - self.size[run] + index
        ]
        return run, index, artifacts


@dataclass
class _Events:
    """The events in id order: by execution, inputs before outputs, then key order and
    the index within the key."""

    execution: np.ndarray  # execution id
    direction: np.ndarray  # INPUT or OUTPUT
    index: np.ndarray
    key: np.ndarray  # code into `keys`
    artifact: np.ndarray
    type: np.ndarray
    keys: list[str]

    @property
    def n(self) -> int:
        return self.execution.size


class _EventCollector:
    """Event rows gathered component by component: (execution, direction, key order,
    index, key, artifact, type); `keys` in order of first use."""

    def __init__(self, exec_id_of: np.ndarray) -> None:
        self.exec_id_of = exec_id_of
        self.keys: list[str] = []
        self.chunks: list[tuple[np.ndarray, ...]] = []

    def add(
        self,
        s: int,
        direction: int,
        order: int,
        key: str,
        runs: np.ndarray,
        artifacts: np.ndarray,
        index: np.ndarray | None = None,
        event_type: int = EVENT_INPUT,
    ) -> None:
        """One event per run in `runs` whose artifact id is set (> 0)."""
        good = artifacts > 0
        runs, artifacts = runs[good], artifacts[good]
        index = np.zeros(runs.size, dtype=np.int8) if index is None else index[good]
        if key not in self.keys:
            self.keys.append(key)
        n = runs.size
        self.chunks.append(
            (
                self.exec_id_of[runs, s],
                np.full(n, direction, dtype=np.int8),
                np.full(n, order, dtype=np.int8),
                index.astype(np.int8),
                np.full(n, self.keys.index(key), dtype=np.int8),
                artifacts,
                np.full(n, event_type, dtype=np.int8),
            )
        )

    def add_inputs(
        self, s: int, reading: np.ndarray, specs: list[tuple[str, np.ndarray | _SpanWindow]]
    ) -> None:
        """The inputs of slot `s` in the runs where it reads them, one key per spec in
        key order: a per-run artifact id, or every Examples of the span window."""
        for order, (key, artifacts) in enumerate(specs):
            if isinstance(artifacts, _SpanWindow):
                run, index, items = artifacts.items(reading)
                self.add(s, INPUT, order, key, run, items, index)
            else:
                rows = np.nonzero(reading)[0]
                self.add(s, INPUT, order, key, rows, artifacts[rows])

    def sorted(self) -> _Events:
        """All rows in event id order (the collector is emptied)."""
        execution, direction, order, index, key, artifact, event_type = (
            np.concatenate(c) for c in zip(*self.chunks, strict=True)
        )
        self.chunks.clear()
        sort_key = ((execution * 2 + direction) * 16 + order) * 64 + index.astype(np.int64)
        event_order = np.argsort(sort_key, kind="stable")
        del sort_key, order
        execution, direction, index, key, artifact, event_type = (
            v[event_order] for v in (execution, direction, index, key, artifact, event_type)
        )
        return _Events(
            execution=execution,
            direction=direction,
            index=index,
            key=key,
            artifact=artifact,
            type=event_type,
            keys=self.keys,
        )


def _reads_inputs(stat: np.ndarray, s: int) -> np.ndarray:
    """Runs whose slot `s` registered its inputs (a canceled Trainer had started)."""
    state = stat[:, s]
    reading = (state == COMPLETE) | (state == CACHED) | (state == FAILED) | (state == RUNNING)
    if s == TRAINER:
        reading |= state == CANCELED
    return reading


def _write_events(
    fleet: Fleet, runs: Runs, execs: _ExecutionRows, arts: _ArtifactRows, out: Sink
) -> _Events:
    """Event and EventPath; returns the events (the attributions follow them)."""
    collector = _EventCollector(execs.id_of)
    used = _ConsumedArtifacts.of(runs, arts.first_of)
    window = _SpanWindow.of(fleet, runs, arts.first_of)
    _add_data_inputs(collector, runs.stat, used, window)
    _add_trainer_inputs(collector, runs.stat, fleet.has[runs.pipe, TRANSFORM], used, window)
    merged = _add_evaluator_inputs(collector, runs.stat, used)
    _add_deployment_inputs(collector, runs.stat, used)
    _add_outputs(collector, runs, arts.first_of)
    _add_resolver_outputs(collector, runs.stat, used, window)
    del used, window
    events = collector.sorted()
    out["Event"] = _event_table(execs, events)
    out["EventPath"] = _event_path_table(events, merged, arts.n)
    return events


def _add_data_inputs(
    collector: _EventCollector, stat: np.ndarray, used: _ConsumedArtifacts, window: _SpanWindow
) -> None:
    """Inputs of the components between ExampleGen and the Trainer."""
    collector.add_inputs(STATS, _reads_inputs(stat, STATS), [("examples", used.examples)])
    collector.add_inputs(SCHEMA, _reads_inputs(stat, SCHEMA), [("statistics", used.statistics)])
    collector.add_inputs(
        EXVAL,
        _reads_inputs(stat, EXVAL),
        [("schema", used.schema), ("statistics", used.statistics)],
    )
    collector.add_inputs(
        TRANSFORM, _reads_inputs(stat, TRANSFORM), [("examples", window), ("schema", used.schema)]
    )
    collector.add_inputs(
        TUNER,
        _reads_inputs(stat, TUNER),
        [
            ("examples", used.transformed_examples),
            ("schema", used.schema),
            ("transform_graph", used.transform_graph),
        ],
    )


def _add_trainer_inputs(
    collector: _EventCollector,
    stat: np.ndarray,
    has_transform: np.ndarray,
    used: _ConsumedArtifacts,
    window: _SpanWindow,
) -> None:
    """The Trainer reads transformed examples, or the span window without a Transform; its
    base model is the warm-start resolver's pick."""
    reading = _reads_inputs(stat, TRAINER)
    rows = np.nonzero(reading)[0]
    collector.add(
        TRAINER,
        INPUT,
        0,
        "base_model",
        rows,
        np.where(stat[rows, WARMRES] > 0, used.warm_model[rows], 0),
    )
    collector.add(
        TRAINER,
        INPUT,
        1,
        "examples",
        rows,
        np.where(has_transform[rows], used.transformed_examples[rows], 0),
    )
    run, index, items = window.items(reading & ~has_transform)
    collector.add(TRAINER, INPUT, 1, "examples", run, items, index)
    collector.add(TRAINER, INPUT, 2, "hyperparameters", rows, used.hyperparameters[rows])
    collector.add(TRAINER, INPUT, 3, "schema", rows, used.schema[rows])
    collector.add(TRAINER, INPUT, 4, "transform_graph", rows, used.transform_graph[rows])


def _add_evaluator_inputs(
    collector: _EventCollector, stat: np.ndarray, used: _ConsumedArtifacts
) -> tuple[np.ndarray, np.ndarray]:
    """The Evaluator's inputs. One artifact filling `model` and `baseline_model` is one
    event with two path pairs: returns those (execution ids, artifact ids)."""
    rows = np.nonzero(_reads_inputs(stat, EVAL) & (stat[:, EVAL] != CANCELED))[0]
    model = used.model[rows]
    same = (used.baseline_model[rows] == model) & (model > 0)
    collector.add(EVAL, INPUT, 0, "baseline_model", rows, used.baseline_model[rows])
    collector.add(EVAL, INPUT, 1, "examples", rows, used.examples[rows])
    collector.add(EVAL, INPUT, 2, "model", rows, np.where(same, 0, model))
    return collector.exec_id_of[rows[same], EVAL], model[same]


def _add_deployment_inputs(
    collector: _EventCollector, stat: np.ndarray, used: _ConsumedArtifacts
) -> None:
    """Inputs of the InfraValidator, the Pusher and the BulkInferrer."""
    collector.add_inputs(
        INFRA, _reads_inputs(stat, INFRA), [("examples", used.examples), ("model", used.model)]
    )
    collector.add_inputs(
        PUSHER,
        _reads_inputs(stat, PUSHER),
        [
            ("infra_blessing", used.infra_blessing),
            ("model", used.model),
            ("model_blessing", used.model_blessing),
        ],
    )
    collector.add_inputs(
        BULK,
        _reads_inputs(stat, BULK),
        [
            ("examples", used.examples),
            ("model", used.model),
            ("model_blessing", used.model_blessing),
        ],
    )


def _add_outputs(collector: _EventCollector, runs: Runs, first_of: np.ndarray) -> None:
    """COMPLETE publishes new artifacts, CACHED re-emits its source's (both OUTPUT)."""
    for s, outs in OUTPUTS.items():
        state = runs.stat[:, s]
        rows = np.nonzero((state == COMPLETE) | (state == CACHED))[0]
        for j, (key, _) in enumerate(outs):
            artifacts = _used_output(runs, first_of, s, j)
            collector.add(s, OUTPUT, j, key, rows, artifacts[rows], event_type=EVENT_OUTPUT)


def _add_resolver_outputs(
    collector: _EventCollector, stat: np.ndarray, used: _ConsumedArtifacts, window: _SpanWindow
) -> None:
    """Resolvers have no inputs; what they pick is an INTERNAL_OUTPUT."""
    run, index, items = window.items(stat[:, SPANRES] == COMPLETE)
    collector.add(
        SPANRES, OUTPUT, 0, "examples", run, items, index, event_type=EVENT_INTERNAL_OUTPUT
    )
    rows = np.nonzero(stat[:, WARMRES] == COMPLETE)[0]
    collector.add(
        WARMRES, OUTPUT, 0, "model", rows, used.warm_model[rows], event_type=EVENT_INTERNAL_OUTPUT
    )
    rows = np.nonzero(stat[:, BLESSRES] == COMPLETE)[0]
    collector.add(
        BLESSRES,
        OUTPUT,
        0,
        "model",
        rows,
        used.baseline_model[rows],
        event_type=EVENT_INTERNAL_OUTPUT,
    )
    collector.add(
        BLESSRES,
        OUTPUT,
        1,
        "model_blessing",
        rows,
        used.baseline_blessing[rows],
        event_type=EVENT_INTERNAL_OUTPUT,
    )


def _event_table(execs: _ExecutionRows, events: _Events) -> pa.Table:
    """The Event table: inputs at the execution's creation, outputs at its end."""
    row = events.execution - 1
    at_ms = np.where(events.direction == INPUT, execs.create_ms[row], execs.end_ms[row])
    return make_table(
        "Event",
        {
            "id": np.arange(1, events.n + 1, dtype=np.int64),
            "artifact_id": events.artifact,
            "execution_id": events.execution,
            "type": events.type,
            "milliseconds_since_epoch": at_ms,
        },
        events.n,
    )


def _event_path_table(
    events: _Events, merged: tuple[np.ndarray, np.ndarray], n_art: int
) -> pa.Table:
    """EventPath: [key, index] per pair; a merged event carries a second pair (`model`, 0)."""
    merged_exec, merged_art = merged
    keys = events.keys
    extra = np.zeros(events.n, dtype=np.int64)
    if merged_exec.size:
        cand = np.nonzero(
            (events.direction == INPUT) & (events.key == keys.index("baseline_model"))
        )[0]
        want = merged_exec * (n_art + 1) + merged_art
        hit = np.isin(events.execution[cand] * (n_art + 1) + events.artifact[cand], want)
        extra[cand[hit]] = 1
    if "model" not in keys:
        keys.append("model")
    n_pairs = 1 + extra
    pair_event = np.repeat(np.arange(events.n), n_pairs)
    pair_no = np.arange(pair_event.size) - np.repeat(np.cumsum(n_pairs) - n_pairs, n_pairs)
    pair_key = np.where(pair_no == 0, events.key[pair_event], keys.index("model"))
    pair_index = np.where(pair_no == 0, events.index[pair_event], 0)
    is_index = np.tile(np.array([0, 1]), pair_event.size)
    return make_table(
        "EventPath",
        {
            "event_id": np.repeat(pair_event + 1, 2),
            "is_index_step": is_index,
            "step_index": pa.array(np.repeat(pair_index, 2), mask=is_index == 0),
            "step_key": strings.lookup(keys, np.where(is_index == 0, np.repeat(pair_key, 2), -1)),
        },
        pair_event.size * 2,
    )


# ---------------------------------------------------------------- contexts


@dataclass
class _Contexts:
    """The contexts in id order, and each execution's context of each kind."""

    of: np.ndarray  # (n_exec, 4) context id per kind (PIPELINE_CTX..), -1 = none
    kind: np.ndarray  # per context, in id order
    key: np.ndarray  # per context: pipeline, run, pipeline x slot or owner x slot
    first_execution: np.ndarray  # per context: row of the execution that opened it

    @property
    def n(self) -> int:
        return self.kind.size


def _assign_contexts(execs: _ExecutionRows, cache_owner: np.ndarray) -> _Contexts:
    """Open the contexts: one per pipeline, run, node (pipeline x slot) and execution_cache
    key; ids in the order executions open them, kinds in CONTEXT_TYPES order."""
    kind_keys = [
        execs.pipe,
        execs.run,
        execs.pipe * NS + execs.slot,
        np.where(cache_owner >= 0, cache_owner * NS + execs.slot, -1),
    ]
    firsts, kinds, inverses, uniques = [], [], [], []
    for kind, keys in enumerate(kind_keys):
        valid = keys >= 0
        unique, first, inverse = np.unique(keys[valid], return_index=True, return_inverse=True)
        firsts.append(np.nonzero(valid)[0][first])
        kinds.append(np.full(unique.size, kind))
        full_inverse = np.full(keys.size, -1, dtype=np.int64)
        full_inverse[valid] = inverse
        inverses.append(full_inverse)
        uniques.append(unique)
    first = np.concatenate(firsts)
    kind = np.concatenate(kinds)
    order = np.lexsort((kind, first))
    ctx_id = np.empty(first.size, dtype=np.int64)
    ctx_id[order] = np.arange(1, first.size + 1)
    of = np.full((execs.n, 4), -1, dtype=np.int64)
    base = 0
    for k in range(4):
        opened = inverses[k] >= 0
        of[opened, k] = ctx_id[base + inverses[k][opened]]
        base += uniques[k].size
    return _Contexts(
        of=of, kind=kind[order], key=np.concatenate(uniques)[order], first_execution=first[order]
    )


def _context_names(
    fleet: Fleet,
    runs: Runs,
    execs: _ExecutionRows,
    contexts: _Contexts,
    rng: np.random.Generator,
    out: Sink,
) -> pa.Array:
    """Names in id order: the pipeline, the run id (its start time), `pipeline.node`, and a
    random cache key (the second draw of `rng`)."""
    run_us = runs.start_ms * 1000 + execs.run_rank % 1000
    run_keys = contexts.key[contexts.kind == RUN_CTX]
    run_us[run_keys] = distinct_run_ids(run_us[run_keys], out.run_ids)
    out.run_ids = np.union1d(out.run_ids, run_us[run_keys])
    node_names = [
        f"{p}.{EXGEN_NODE_IDS[kind] if s == EXGEN else NODE_IDS[s]}"
        for p, kind in zip(fleet.names, fleet.exgen_kind.tolist(), strict=True)
        for s in range(NS)
    ]
    pieces, where = [], []
    for kind in range(4):
        rows = np.nonzero(contexts.kind == kind)[0]
        keys = contexts.key[rows]
        if kind == PIPELINE_CTX:
            pieces.append(strings.lookup(fleet.names, keys))
        elif kind == RUN_CTX:
            pieces.append(strings.iso_micro(run_us[keys]))
        elif kind == NODE_CTX:
            pieces.append(strings.lookup(node_names, keys))
        else:
            pieces.append(strings.hex_digest(rng, rows.size))
        where.append(rows)
    perm = np.concatenate(where)
    inv_perm = np.empty_like(perm)
    inv_perm[perm] = np.arange(perm.size)
    return pa.concat_arrays(pieces).take(pa.array(inv_perm))


def distinct_run_ids(us: np.ndarray, taken: np.ndarray) -> np.ndarray:
    """Run ids are start times to the microsecond, the microsecond being the run's rank in
    its chunk; a run id that another run (of this chunk or an earlier one) holds moves on by
    a microsecond until it is free."""
    us = us.copy()
    while True:
        order = np.argsort(us, kind="stable")
        repeated = np.zeros(us.size, dtype=bool)
        repeated[order[1:]] = us[order[1:]] == us[order[:-1]]
        clash = repeated | np.isin(us, taken)
        if not clash.any():
            return us
        us[clash] += 1


def _write_contexts(
    fleet: Fleet,
    runs: Runs,
    execs: _ExecutionRows,
    type_id: dict[str, int],
    rng: np.random.Generator,
    out: Sink,
) -> _Contexts:
    """Context, ContextProperty (empty), ParentContext and Association."""
    contexts = _assign_contexts(execs, runs.key_owner[execs.run, execs.slot])
    associated = contexts.of >= 0
    assoc_ctx = contexts.of[associated]  # row-major: exec order, kind order
    assoc_exec = np.repeat(execs.id, associated.sum(axis=1))
    del associated
    last_ms = np.zeros(contexts.n + 1, dtype=np.int64)
    np.maximum.at(last_ms, assoc_ctx, execs.end_ms[assoc_exec - 1])
    out["Context"] = make_table(
        "Context",
        {
            "id": np.arange(1, contexts.n + 1),
            "type_id": np.array([type_id[n] for n in CONTEXT_TYPES])[contexts.kind],
            "name": _context_names(fleet, runs, execs, contexts, rng, out),
            "create_time_since_epoch": execs.create_ms[contexts.first_execution],
            "last_update_time_since_epoch": last_ms[1:],
        },
        contexts.n,
    )
    out["ContextProperty"] = make_table("ContextProperty", {}, 0)
    out["ParentContext"] = _parent_context_table(fleet, runs, execs, contexts)
    out["Association"] = make_table(
        "Association",
        {
            "id": np.arange(1, assoc_ctx.size + 1),
            "context_id": assoc_ctx,
            "execution_id": assoc_exec,
        },
        assoc_ctx.size,
    )
    return contexts


def _run_contexts(runs: Runs, execs: _ExecutionRows, contexts: _Contexts) -> np.ndarray:
    """Per run, the id of its pipeline_run context (-1 = the run has no execution)."""
    run_ctx = np.full(runs.n, -1, dtype=np.int64)
    run_ctx[execs.run] = contexts.of[:, RUN_CTX]
    return run_ctx


def _parent_context_table(
    fleet: Fleet, runs: Runs, execs: _ExecutionRows, contexts: _Contexts
) -> pa.Table:
    """ParentContext: each run context's parent is its pipeline's context."""
    run_ctx = _run_contexts(runs, execs, contexts)
    pipe_ctx = np.full(fleet.n, -1, dtype=np.int64)
    pipe_ctx[execs.pipe] = contexts.of[:, PIPELINE_CTX]
    has_run = run_ctx >= 0
    child = run_ctx[has_run]
    parent = pipe_ctx[runs.pipe[has_run]]
    order = np.argsort(child)
    return make_table(
        "ParentContext",
        {"context_id": child[order], "parent_context_id": parent[order]},
        child.size,
    )


# ---------------------------------------------------------------- attributions


def _publishes_new(runs: Runs, execs: _ExecutionRows, events: _Events) -> np.ndarray:
    """Events that publish a new artifact: outputs of a COMPLETE execution that is its own
    source (a cache hit re-emits its source's)."""
    row = events.execution - 1
    run = execs.run[row]
    is_new = (
        (events.direction == OUTPUT)
        & (execs.state[row] == COMPLETE)
        & (events.type == EVENT_OUTPUT)
    )
    return is_new & (runs.src[run, execs.slot[row]] == run)


def _attribution_table(
    runs: Runs, execs: _ExecutionRows, events: _Events, contexts: _Contexts, n_art: int
) -> pa.Table:
    """MLMD attributes every artifact of an (artifact, event) pair to the execution's
    contexts: inputs at registration (pipeline, run, node), outputs at publish (plus the
    execution_cache context); one row per (context, artifact), the first time it is seen."""
    n_ev = events.n
    row = events.execution - 1
    is_new = _publishes_new(runs, execs, events)
    group = events.execution * 2 + events.direction
    group_id = np.cumsum(np.r_[0, (group[1:] != group[:-1]).astype(np.int64)]) if n_ev else group
    del group
    parts_ctx, parts_art, parts_key = [], [], []
    for kind in range(4):
        if kind == CACHE_CTX:
            sel = np.nonzero(is_new & (contexts.of[row, CACHE_CTX] >= 0))[0]
        elif kind == PIPELINE_CTX:
            sel = np.nonzero(is_new)[0]
        else:
            sel = np.arange(n_ev)
        ctx = contexts.of[row[sel], kind]
        if kind in (RUN_CTX, NODE_CTX):
            _, first = np.unique(ctx * (n_art + 1) + events.artifact[sel], return_index=True)
            first.sort()
            sel, ctx = sel[first], ctx[first]
            del first
        parts_ctx.append(ctx)
        parts_art.append(events.artifact[sel])
        parts_key.append((group_id[sel] * 4 + kind) * (n_ev + 1) + sel)
    order = np.argsort(np.concatenate(parts_key), kind="stable")
    del parts_key
    context_id = np.concatenate(parts_ctx)[order]
    artifact_id = np.concatenate(parts_art)[order]
    del order, parts_ctx, parts_art
    return make_table(
        "Attribution",
        {
            "id": np.arange(1, context_id.size + 1),
            "context_id": context_id,
            "artifact_id": artifact_id,
        },
        context_id.size,
    )


def _proto_json(value: object) -> str:
    """A proto exec property as TFX stores it: JSON, keys sorted, indented by 2."""
    return json.dumps(value, indent=2, sort_keys=True)


def _input_fingerprint(
    fleet: Fleet, pipe: np.ndarray, span: np.ndarray, arrived_s: np.ndarray
) -> pa.Array:
    """ExampleGen's fingerprint of a span's files (count, bytes, mtime checksums)."""
    n_files = 1 + (span * 7919 + pipe) % 16
    total = (fleet.scale[pipe] * 4e7 * (1 + (span % 97) / 200)).astype(np.int64)
    return strings.join(
        "split:single_split,num_files:",
        n_files,
        ",total_bytes:",
        total,
        ",xor_checksum:",
        arrived_s,
        ",sum_checksum:",
        arrived_s,
    )


def _module_paths(
    fleet: Fleet, pipe: np.ndarray, version: np.ndarray, module: str, component: str
) -> pa.Array:
    """`module@<root>/_wheels/tfx_user_code_<Component>-0.0+<hash>-...whl`: TFX packs the
    module's directory into one wheel whose hash is the same for every component using it,
    so a new version of the trainer code changes Transform's module_path too."""
    width = int(version.max(initial=0)) + 1
    uniq, inv = np.unique(pipe.astype(np.int64) * width + version, return_inverse=True)
    wheels = []
    for key in uniq.tolist():
        name = fleet.names[key // width]
        digest = hashlib.sha256(f"{name}:{key % width}".encode()).hexdigest()
        wheels.append(
            f"{module}@{ROOT}/{name}/_wheels/tfx_user_code_{component}-0.0+{digest}"
            "-py3-none-any.whl"
        )
    return strings.lookup(wheels, inv)


class _ExecutionProps(Props):
    """Exec properties (all custom), added component by component to the executions that
    record them: every one but a canceled Evaluator."""

    def __init__(self, execs: _ExecutionRows) -> None:
        super().__init__()
        self.execs = execs
        records = ~((execs.slot == EVAL) & (execs.state == CANCELED))
        self.by_slot = {s: np.nonzero((execs.slot == s) & records)[0] for s in range(NS)}

    def rows(self, s: int, only: np.ndarray | None = None) -> np.ndarray:
        """Execution rows of slot `s` that record properties, those in `only` if given."""
        rows = self.by_slot[s]
        return rows if only is None else rows[only[rows]]

    def add_to(
        self, s: int, name: str, kind: str, value: object, rows: np.ndarray | None = None
    ) -> None:
        """`value`: a constant, or one per row of `rows` (default: all of slot `s`)."""
        rows = self.by_slot[s] if rows is None else rows
        self.add(self.execs.id[rows], name, 1, kind, value)


def _per_pipeline(fleet: Fleet, template: str, pipe: np.ndarray) -> pa.Array:
    """`template` with `{p}` replaced by each row's pipeline name."""
    return strings.lookup([template.format(p=p) for p in fleet.names], pipe)


def _execution_props(
    fleet: Fleet, runs: Runs, execs: _ExecutionRows, tuner_execution: np.ndarray
) -> pa.Table:
    """Exec properties as TFX 1.16 records them: all custom, protos as indented JSON,
    none on resolvers, no error text on failures, and the simulator's `cpu_seconds`."""
    props = _ExecutionProps(execs)
    _example_gen_props(props, fleet, runs)
    for s in (STATS, SCHEMA, EXVAL):
        props.add_to(s, "exclude_splits", "str", "[]")
    props.add_to(SCHEMA, "infer_feature_shape", "int", 1)
    _training_props(props, fleet, runs, tuner_execution)
    _evaluation_and_push_props(props, fleet)
    cpu = runs.cpu[execs.run, execs.slot]
    has_cpu = ~np.isnan(cpu)
    props.add(execs.id[has_cpu], "cpu_seconds", 1, "double", cpu[has_cpu])
    return props.table("ExecutionProperty", "execution_id")


def _example_gen_props(props: _ExecutionProps, fleet: Fleet, runs: Runs) -> None:
    """ExampleGen's configuration; its driver adds `span` and `input_fingerprint` when it
    runs, so a cache hit has neither."""
    execs = props.execs
    rows = props.rows(EXGEN)
    in_cfg = [
        _proto_json({"splits": [{"name": "single_split", "pattern": pattern}]})
        for pattern in ("span-{SPAN}/*.csv", "span-{SPAN}/*.tfrecord.gz", "SELECT * FROM `{SPAN}`")
    ]
    props.add_to(
        EXGEN,
        "input_base",
        "str",
        _per_pipeline(fleet, "gs://fleet-data/{p}/raw", execs.pipe[rows]),
    )
    props.add_to(
        EXGEN, "input_config", "str", strings.lookup(in_cfg, fleet.exgen_kind[execs.pipe[rows]])
    )
    props.add_to(
        EXGEN,
        "output_config",
        "str",
        _proto_json(
            {
                "split_config": {
                    "splits": [
                        {"name": "train", "hash_buckets": 4},
                        {"name": "eval", "hash_buckets": 1},
                    ]
                }
            }
        ),
    )
    props.add_to(EXGEN, "output_data_format", "int", 6)  # FORMAT_TF_EXAMPLE
    props.add_to(EXGEN, "output_file_format", "int", 5)  # FORMAT_TFRECORDS_GZIP
    # The span the driver found: a COMPLETE ExampleGen's own, the next one for a failure.
    computed = (execs.state == COMPLETE) | (execs.state == FAILED) | (execs.state == RUNNING)
    ran = props.rows(EXGEN, only=computed)
    tried = runs.span[execs.run] + (execs.state != COMPLETE)
    props.add_to(EXGEN, "span", "int", tried[ran], rows=ran)
    props.add_to(
        EXGEN,
        "input_fingerprint",
        "str",
        _input_fingerprint(
            fleet, execs.pipe[ran], tried[ran], runs.create_ms[execs.run[ran], EXGEN] // 1000
        ),
        rows=ran,
    )


def _training_props(
    props: _ExecutionProps, fleet: Fleet, runs: Runs, tuner_execution: np.ndarray
) -> None:
    """Transform, Tuner, Trainer and the hyperparameters importer; the module paths and
    training steps follow the pipeline's code version."""
    execs = props.execs
    version = runs.code_version[execs.run]
    rows = props.rows(TRANSFORM)
    props.add_to(TRANSFORM, "custom_config", "str", "null")
    props.add_to(TRANSFORM, "disable_statistics", "int", 0)
    props.add_to(TRANSFORM, "force_tf_compat_v1", "int", 0)
    props.add_to(
        TRANSFORM,
        "module_path",
        "str",
        _module_paths(fleet, execs.pipe[rows], version[rows], "preprocessing", "Transform"),
    )
    steps = np.array([1000, 2000, 5000, 500, 3000])
    train_args = [_proto_json({"num_steps": int(n)}) for n in steps]
    for s, component in ((TUNER, "Tuner"), (TRAINER, "Trainer")):
        rows = props.rows(s)
        props.add_to(
            s,
            "module_path",
            "str",
            _module_paths(fleet, execs.pipe[rows], version[rows], "model", component),
        )
        props.add_to(s, "train_args", "str", strings.lookup(train_args, version[rows] % steps.size))
        props.add_to(s, "eval_args", "str", _proto_json({"num_steps": 100}))
    props.add_to(TUNER, "tune_args", "str", _proto_json({"num_parallel_trials": 4}))
    rows = props.rows(TRAINER)
    props.add_to(
        TRAINER,
        "custom_config",
        "str",
        strings.lookup(
            [_proto_json({"warm_start": False}), _proto_json({"warm_start": True})],
            fleet.warm[execs.pipe[rows]].astype(np.int64),
        ),
    )
    pipe = execs.pipe[props.rows(HPIMPORT)]
    props.add_to(
        HPIMPORT,
        "artifact_uri",
        "str",
        strings.join(
            _per_pipeline(fleet, ROOT + "/{p}/Tuner/best_hyperparameters", pipe),
            tuner_execution[pipe],
            sep="/",
        ),
    )
    props.add_to(HPIMPORT, "output_key", "str", "result")
    props.add_to(HPIMPORT, "reimport", "int", 0)


def _evaluation_and_push_props(props: _ExecutionProps, fleet: Fleet) -> None:
    """Evaluator, InfraValidator, Pusher and BulkInferrer."""
    props.add_to(
        EVAL,
        "eval_config",
        "str",
        _proto_json(
            {
                "metrics_specs": [
                    {
                        "thresholds": {
                            "auc": {
                                "value_threshold": {"lower_bound": 0.6},
                                "change_threshold": {
                                    "direction": "HIGHER_IS_BETTER",
                                    "absolute": -1e-10,
                                },
                            }
                        }
                    }
                ]
            }
        ),
    )
    props.add_to(EVAL, "example_splits", "str", "null")
    props.add_to(EVAL, "fairness_indicator_thresholds", "str", "null")
    props.add_to(
        INFRA, "serving_spec", "str", _proto_json({"tensorflow_serving": {"tags": ["latest"]}})
    )
    props.add_to(INFRA, "validation_spec", "str", _proto_json({"max_loading_time_seconds": 60}))
    props.add_to(PUSHER, "custom_config", "str", "null")
    props.add_to(
        PUSHER,
        "push_destination",
        "str",
        strings.lookup(
            [
                _proto_json({"filesystem": {"base_directory": f"gs://fleet-serving/{p}"}})
                for p in fleet.names
            ],
            props.execs.pipe[props.rows(PUSHER)],
        ),
    )
    props.add_to(BULK, "data_spec", "str", "{}")
    props.add_to(BULK, "model_spec", "str", "{}")


def _anomalies_blessed(blessed: bool) -> str:
    """ExampleValidator's `blessed`: a Struct {split: 1.0 or 0.0} stored as MLMD stores a
    struct custom property, `mlmd-struct::` + base64 of the serialised proto."""
    fields = b""
    for split in (b"train", b"eval"):
        value = b"\x11" + struct.pack("<d", 1.0 if blessed else 0.0)  # Value.number_value
        entry = b"\x0a" + bytes([len(split)]) + split + b"\x12" + bytes([len(value)]) + value
        fields += b"\x0a" + bytes([len(entry)]) + entry  # Struct.fields
    return "mlmd-struct::" + base64.b64encode(fields).decode()


SPLIT_NAMES = '["train", "eval"]'


def _artifact_rows(arts: _ArtifactRows, s: int, output: int = 0) -> np.ndarray:
    """Rows of the artifacts published as output `output` of slot `s`."""
    return np.nonzero((arts.slot == s) & (arts.output == output))[0]


def _artifact_props(fleet: Fleet, runs: Runs, arts: _ArtifactRows) -> pa.Table:
    """Artifact properties as TFX 1.16 records them: `Examples.span` only as a custom
    property although the type declares it; statistics and anomalies carry a typed `span`
    that is always 0. `drift_score` and `num_anomalies` are the simulator's drift figures."""
    props = Props()
    props.add(
        arts.id, "tfx_version", 1, "str", strings.lookup(TFX_VERSIONS, fleet.tfx_version[arts.pipe])
    )
    props.add(arts.id, "is_external", 1, "int", 0)
    _data_artifact_props(props, fleet, runs, arts)
    _model_artifact_props(props, fleet, runs, arts)
    return props.table("ArtifactProperty", "artifact_id")


def _data_artifact_props(props: Props, fleet: Fleet, runs: Runs, arts: _ArtifactRows) -> None:
    """Examples (raw and transformed), statistics and anomalies."""
    rows = _artifact_rows(arts, EXGEN)
    ids, run = arts.id[rows], arts.run[rows]
    span = runs.span[run]
    props.add(ids, "span", 1, "int", span)
    props.add(ids, "split_names", 0, "str", SPLIT_NAMES)
    props.add(
        ids,
        "input_fingerprint",
        1,
        "str",
        _input_fingerprint(fleet, arts.pipe[rows], span, runs.create_ms[run, EXGEN] // 1000),
    )
    props.add(ids, "payload_format", 1, "str", "FORMAT_TF_EXAMPLE")
    props.add(ids, "file_format", 1, "str", "tfrecords_gzip")
    props.add(arts.id[_artifact_rows(arts, TRANSFORM, 1)], "split_names", 0, "str", SPLIT_NAMES)
    rows = _artifact_rows(arts, STATS)
    ids = arts.id[rows]
    props.add(ids, "span", 0, "int", 0)
    props.add(ids, "split_names", 0, "str", SPLIT_NAMES)
    props.add(ids, "sample_rate_by_split", 1, "str", SAMPLE_RATE_BY_SPLIT)
    props.add(ids, "stats_dashboard_link", 1, "str", "")
    props.add(ids, "drift_score", 1, "double", np.round(runs.drift[arts.run[rows]], 4))
    rows = _artifact_rows(arts, EXVAL)
    ids = arts.id[rows]
    anomalies = runs.anomalies[arts.run[rows]]
    props.add(ids, "span", 0, "int", 0)
    props.add(ids, "split_names", 0, "str", SPLIT_NAMES)
    props.add(ids, "num_anomalies", 1, "int", anomalies)
    props.add(
        ids,
        "blessed",
        1,
        "str",
        strings.lookup(
            [_anomalies_blessed(False), _anomalies_blessed(True)], (anomalies == 0).astype(np.int64)
        ),
    )


def _model_artifact_props(props: Props, fleet: Fleet, runs: Runs, arts: _ArtifactRows) -> None:
    """ModelBlessing (blessed, the evaluated model and the baseline: uri and id),
    InfraBlessing and PushedModel."""
    rows = _artifact_rows(arts, EVAL, 1)
    ids, run = arts.id[rows], arts.run[rows]
    props.add(ids, "blessed", 1, "int", runs.blessed[run].astype(np.int64))
    model_id = arts.first_of[runs.src[run, TRAINER], TRAINER]
    props.add(ids, "current_model_id", 1, "int", model_id)
    props.add(ids, "current_model", 1, "str", arts.uri.take(pa.array(model_id - 1)))
    has_baseline = runs.base_run[run] >= 0
    baseline_ids = ids[has_baseline]
    baseline_id = arts.first_of[runs.base_run[run[has_baseline]], TRAINER]
    props.add(baseline_ids, "baseline_model_id", 1, "int", baseline_id)
    props.add(baseline_ids, "baseline_model", 1, "str", arts.uri.take(pa.array(baseline_id - 1)))
    rows = _artifact_rows(arts, INFRA)
    props.add(arts.id[rows], "blessed", 1, "int", runs.infra_ok[arts.run[rows]].astype(np.int64))
    rows = _artifact_rows(arts, PUSHER)
    pushed = runs.pushed[arts.run[rows]]
    props.add(arts.id[rows], "pushed", 1, "int", pushed.astype(np.int64))
    rows = rows[pushed]
    version = (runs.end_ms[arts.run[rows], PUSHER] // 1000).astype(np.int64)
    props.add(arts.id[rows], "pushed_version", 1, "str", strings.join(version))
    props.add(
        arts.id[rows],
        "pushed_destination",
        1,
        "str",
        strings.join(
            _per_pipeline(fleet, "gs://fleet-serving/{p}", arts.pipe[rows]), version, sep="/"
        ),
    )
