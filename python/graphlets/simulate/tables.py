"""Row expansion: runs -> the 15 MLMD tables, exactly as TFX and MLMD would write them."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from collections.abc import Callable

import numpy as np
import pyarrow as pa

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
SAMPLE_RATE_BY_SPLIT = (
    "mlmd-struct::CioKCV9fdmFsdWVfXxIdGht7ImV2YWwiOiAxLjAsICJ0cmFpbiI6IDEuMH0="
)


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
            pa.array(np.where(missing, 0, codes), mask=missing if missing.any() else None),
            values).cast(pa.string())
        cols = {
            owner_col: own[order], "name": strings.lookup(names, nc[order]),
            "is_custom_property": cu[order],
            "int_value": pa.concat_arrays(ints).take(take),
            "double_value": pa.concat_arrays(dbls).take(take),
            "string_value": string_value,
        }
        return make_table(table, cols, own.size)


class Sink:
    """Receives each table as soon as it is built, so that only one is held at a time."""

    def __init__(self, put: Callable[[str, pa.Table], None]) -> None:
        self.put = put
        self.rows: dict[str, int] = {}

    def __setitem__(self, name: str, table: pa.Table) -> None:
        self.put(name, table)
        self.rows[name] = table.num_rows


def build_tables(fleet: Fleet, runs: Runs, rng: np.random.Generator,
                 progress: Callable[[str], None], out: Sink) -> dict:
    tid = type_ids()
    pipe_names = fleet.names

    # ---------------------------------------------------------------- types
    rows = type_rows()
    out["Type"] = make_table("Type", {
        "id": np.arange(1, len(rows) + 1), "name": pa.array([r[0] for r in rows]),
        "type_kind": np.array([r[1] for r in rows])}, len(rows))
    out["TypeProperty"] = make_table("TypeProperty", {
        "type_id": np.array([tid[t] for t, _, _ in TYPE_PROPERTIES]),
        "name": pa.array([n for _, n, _ in TYPE_PROPERTIES]),
        "data_type": np.array([d for _, _, d in TYPE_PROPERTIES])}, len(TYPE_PROPERTIES))
    parents = [(tid[EXEC_TYPE[c] if isinstance(c, int) else c], tid[p]) for c, p in PARENT_TYPES]
    out["ParentType"] = make_table("ParentType", {
        "type_id": np.array([a for a, _ in parents]),
        "parent_type_id": np.array([b for _, b in parents])}, len(parents))
    out["MLMDEnv"] = make_table("MLMDEnv", {"schema_version": np.array([SCHEMA_VERSION])}, 1)

    # ---------------------------------------------------------------- executions
    stat = runs.stat
    run_order = np.argsort(runs.start_ms, kind="stable")
    run_rank = np.empty(runs.n, dtype=np.int64)
    run_rank[run_order] = np.arange(runs.n)
    rr, ss = np.nonzero(stat[run_order] > 0)
    x_run = run_order[rr]
    x_slot = ss.astype(np.int64)
    n_exec = x_run.size
    x_id = np.arange(1, n_exec + 1, dtype=np.int64)
    eid = np.zeros((runs.n, NS), dtype=np.int64)
    eid[x_run, x_slot] = x_id
    x_pipe = runs.pipe[x_run]
    x_state = stat[x_run, x_slot].astype(np.int64)
    x_create = runs.create_ms[x_run, x_slot]
    x_end = runs.end_ms[x_run, x_slot]
    slot_type = np.array([tid[EXEC_TYPE[s]] if s in EXEC_TYPE else 0 for s in range(NS)])
    exgen_types = np.array([tid[n] for n in EXAMPLE_GENS])
    x_type = np.where(x_slot == EXGEN, exgen_types[fleet.exgen_kind[x_pipe]], slot_type[x_slot])
    out["Execution"] = make_table("Execution", {
        "id": x_id, "type_id": x_type, "last_known_state": x_state,
        "name": strings.uuid4(rng, n_exec), "create_time_since_epoch": x_create,
        "last_update_time_since_epoch": x_end}, n_exec)
    progress(f"executions: {n_exec:,}")

    # ---------------------------------------------------------------- artifacts
    n_new = np.where(x_state == COMPLETE, np.array(N_OUT)[x_slot], 0)
    a_first_exec = 1 + np.cumsum(n_new) - n_new
    art_first = np.zeros((runs.n, NS), dtype=np.int64)
    art_first[x_run, x_slot] = np.where(n_new > 0, a_first_exec, 0)
    a_exec = np.repeat(np.arange(n_exec), n_new)
    n_art = a_exec.size
    a_id = np.arange(1, n_art + 1, dtype=np.int64)
    a_j = a_id - a_first_exec[a_exec]
    a_slot = x_slot[a_exec]
    a_run = x_run[a_exec]
    a_pipe = x_pipe[a_exec]
    out_keys = sorted({k for v in OUTPUTS.values() for k, _ in v})
    key_code = np.full((NS, 2), -1, dtype=np.int64)
    type_code = np.zeros((NS, 2), dtype=np.int64)
    for s, outs in OUTPUTS.items():
        for j, (key, atype) in enumerate(outs):
            key_code[s, j] = out_keys.index(key)
            type_code[s, j] = tid[atype]
    a_type = type_code[a_slot, a_j]
    a_time = x_end[a_exec]
    # uri = {pipeline_root}/{node_id}/{output_key}/{execution_id}; the importer's result
    # points at the Tuner's best_hyperparameters (the file it imports).
    a_uri_exec = x_id[a_exec]
    tuner_exec = eid[np.searchsorted(runs.pipe, np.arange(fleet.n)).clip(0, max(runs.n - 1, 0)),
                     TUNER] if runs.n else np.zeros(fleet.n, dtype=np.int64)
    hp = a_slot == HPIMPORT
    a_uri_exec = np.where(hp, tuner_exec[a_pipe], a_uri_exec)
    node_key = [f"{NODE_IDS[s]}/{k}" for s in range(NS) for k in out_keys]
    node_key += [f"{node}/examples" for node in EXGEN_NODE_IDS]
    nk = a_slot * len(out_keys) + key_code[a_slot, a_j]
    nk = np.where(hp, TUNER * len(out_keys) + out_keys.index("best_hyperparameters"), nk)
    nk = np.where(a_slot == EXGEN, NS * len(out_keys) + fleet.exgen_kind[a_pipe], nk)
    pipe_root = strings.lookup([f"{ROOT}/{p}" for p in pipe_names], a_pipe)
    a_uri = strings.join(pipe_root, strings.lookup(node_key, nk), a_uri_exec, sep="/")
    out["Artifact"] = make_table("Artifact", {
        "id": a_id, "type_id": a_type, "uri": a_uri, "state": np.full(n_art, 2),
        "create_time_since_epoch": a_time, "last_update_time_since_epoch": a_time}, n_art)
    progress(f"artifacts: {n_art:,}")

    # ---------------------------------------------------------------- events
    def eff(s: int, j: int = 0) -> np.ndarray:
        src = runs.src[:, s]
        return np.where(src >= 0, art_first[np.maximum(src, 0), s] + j, 0) * (src >= 0)

    exgen_done = stat[:, EXGEN] == COMPLETE
    prod_rows = np.nonzero(exgen_done)[0]
    prod_art = art_first[prod_rows, EXGEN]
    prod_off = np.searchsorted(runs.pipe[prod_rows], runs.pipe)
    cs = np.cumsum(exgen_done)
    first_of_pipe = np.searchsorted(runs.pipe, runs.pipe)
    cnt = cs - (cs[first_of_pipe] - exgen_done[first_of_pipe])
    win = np.minimum(fleet.window[runs.pipe], cnt)
    win = np.where(runs.src[:, EXGEN] >= 0, win, 0)

    def window_items(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows_ = np.nonzero(mask & (win > 0))[0]
        n_items = win[rows_]
        r = np.repeat(rows_, n_items)
        j = np.arange(r.size) - np.repeat(np.cumsum(n_items) - n_items, n_items)
        arts = prod_art[prod_off[r] + cnt[r] - win[r] + j]
        return r, j, arts

    in_keys: list[str] = []
    edges: list[tuple[np.ndarray, ...]] = []   # (exec, dir, order, index, key, art, etype)

    def has_inputs(s: int) -> np.ndarray:
        st = stat[:, s]
        ok = (st == COMPLETE) | (st == CACHED) | (st == FAILED) | (st == RUNNING)
        if s == TRAINER:
            ok |= st == CANCELED
        return ok

    def add(s: int, direction: int, order: int, key: str, rows_: np.ndarray,
            arts: np.ndarray, index: np.ndarray | None = None, etype: int = 3) -> None:
        good = arts > 0
        rows_, arts = rows_[good], arts[good]
        idx = np.zeros(rows_.size, dtype=np.int8) if index is None else index[good]
        if key not in in_keys:
            in_keys.append(key)
        n = rows_.size
        edges.append((eid[rows_, s], np.full(n, direction, dtype=np.int8),
                      np.full(n, order, dtype=np.int8), idx.astype(np.int8),
                      np.full(n, in_keys.index(key), dtype=np.int8), arts,
                      np.full(n, etype, dtype=np.int8)))

    def inputs(s: int, specs: list[tuple[str, np.ndarray | str]]) -> None:
        mask = has_inputs(s)
        for order, (key, arts) in enumerate(specs):
            if isinstance(arts, str):  # the span window
                r, j, a = window_items(mask)
                add(s, 0, order, key, r, a, j)
            else:
                rows_ = np.nonzero(mask)[0]
                add(s, 0, order, key, rows_, arts[rows_])

    ex, st_, sc, tr_g, tr_x = eff(EXGEN), eff(STATS), eff(SCHEMA), eff(TRANSFORM, 0), eff(
        TRANSFORM, 1)
    model = eff(TRAINER, 0)
    blessing = eff(EVAL, 1)
    warm_model = np.where(runs.warm_run >= 0, art_first[np.maximum(runs.warm_run, 0), TRAINER],
                          0)
    base_model = np.where(runs.base_run >= 0, art_first[np.maximum(runs.base_run, 0), TRAINER],
                          0)
    base_bless = np.where(runs.base_bless_run >= 0,
                          art_first[np.maximum(runs.base_bless_run, 0), EVAL] + 1, 0)
    hparams = np.maximum(eff(TUNER, 0), eff(HPIMPORT, 0))
    has_tf = fleet.has[runs.pipe, TRANSFORM]
    inputs(STATS, [("examples", ex)])
    inputs(SCHEMA, [("statistics", st_)])
    inputs(EXVAL, [("schema", sc), ("statistics", st_)])
    inputs(TRANSFORM, [("examples", "window"), ("schema", sc)])
    inputs(TUNER, [("examples", tr_x), ("schema", sc), ("transform_graph", tr_g)])
    tmask = has_inputs(TRAINER)
    trows = np.nonzero(tmask)[0]
    add(TRAINER, 0, 0, "base_model", trows,
        np.where(stat[trows, WARMRES] > 0, warm_model[trows], 0))
    add(TRAINER, 0, 1, "examples", trows, np.where(has_tf[trows], tr_x[trows], 0))
    r, j, a = window_items(tmask & ~has_tf)
    add(TRAINER, 0, 1, "examples", r, a, j)
    add(TRAINER, 0, 2, "hyperparameters", trows, hparams[trows])
    add(TRAINER, 0, 3, "schema", trows, sc[trows])
    add(TRAINER, 0, 4, "transform_graph", trows, tr_g[trows])
    # Evaluator: one artifact filling `model` and `baseline_model` is one event, 2 pairs.
    erows = np.nonzero(has_inputs(EVAL) & (stat[:, EVAL] != CANCELED))[0]
    same = (base_model[erows] == model[erows]) & (model[erows] > 0)
    add(EVAL, 0, 0, "baseline_model", erows, base_model[erows])
    add(EVAL, 0, 1, "examples", erows, ex[erows])
    add(EVAL, 0, 2, "model", erows, np.where(same, 0, model[erows]))
    merged_exec = eid[erows[same], EVAL]
    merged_art = model[erows[same]]
    inputs(INFRA, [("examples", ex), ("model", model)])
    inputs(PUSHER, [("infra_blessing", eff(INFRA)), ("model", model),
                    ("model_blessing", blessing)])
    inputs(BULK, [("examples", ex), ("model", model), ("model_blessing", blessing)])
    # Outputs: COMPLETE publishes new artifacts, CACHED re-emits its source's (OUTPUT, 4).
    for s, outs in OUTPUTS.items():
        st = stat[:, s]
        rows_ = np.nonzero((st == COMPLETE) | (st == CACHED))[0]
        for j_, (key, _) in enumerate(outs):
            add(s, 1, j_, key, rows_, eff(s, j_)[rows_], etype=4)
    # Resolvers: INTERNAL_OUTPUT (6), no inputs.
    r, j, a = window_items(stat[:, SPANRES] == COMPLETE)
    add(SPANRES, 1, 0, "examples", r, a, j, etype=6)
    rows_ = np.nonzero(stat[:, WARMRES] == COMPLETE)[0]
    add(WARMRES, 1, 0, "model", rows_, warm_model[rows_], etype=6)
    rows_ = np.nonzero(stat[:, BLESSRES] == COMPLETE)[0]
    add(BLESSRES, 1, 0, "model", rows_, base_model[rows_], etype=6)
    add(BLESSRES, 1, 1, "model_blessing", rows_, base_bless[rows_], etype=6)

    e_exec, e_dir, e_order, e_idx, e_key, e_art, e_type = (np.concatenate(c) for c in zip(
        *edges, strict=True))
    edges.clear()
    sort_key = ((e_exec * 2 + e_dir) * 16 + e_order) * 64 + e_idx.astype(np.int64)
    order = np.argsort(sort_key, kind="stable")
    e_exec, e_dir, e_idx, e_key, e_art, e_type = (
        v[order] for v in (e_exec, e_dir, e_idx, e_key, e_art, e_type))
    del order, sort_key, e_order
    n_ev = e_exec.size
    ev_id = np.arange(1, n_ev + 1, dtype=np.int64)
    e_xi = e_exec - 1
    e_ms = np.where(e_dir == 0, x_create[e_xi], x_end[e_xi])
    e_new = (e_dir == 1) & (x_state[e_xi] == COMPLETE) & (e_type == 4)
    e_new &= runs.src[x_run[e_xi], x_slot[e_xi]] == x_run[e_xi]
    out["Event"] = make_table("Event", {
        "id": ev_id, "artifact_id": e_art, "execution_id": e_exec, "type": e_type,
        "milliseconds_since_epoch": e_ms}, n_ev)

    # EventPath: [key, index] per pair; a merged event carries a second pair (`model`, 0).
    extra = np.zeros(n_ev, dtype=np.int64)
    if merged_exec.size:
        cand = np.nonzero((e_dir == 0) & (e_key == in_keys.index("baseline_model")))[0]
        want = merged_exec * (n_art + 1) + merged_art
        hit = np.isin(e_exec[cand] * (n_art + 1) + e_art[cand], want)
        extra[cand[hit]] = 1
    if "model" not in in_keys:
        in_keys.append("model")
    n_pairs = 1 + extra
    p_ev = np.repeat(np.arange(n_ev), n_pairs)
    p_no = np.arange(p_ev.size) - np.repeat(np.cumsum(n_pairs) - n_pairs, n_pairs)
    p_key = np.where(p_no == 0, e_key[p_ev], in_keys.index("model"))
    p_index = np.where(p_no == 0, e_idx[p_ev], 0)
    n_path = p_ev.size * 2
    is_idx = np.tile(np.array([0, 1]), p_ev.size)
    path_ev = np.repeat(ev_id[p_ev], 2)
    out["EventPath"] = make_table("EventPath", {
        "event_id": path_ev, "is_index_step": is_idx,
        "step_index": pa.array(np.repeat(p_index, 2), mask=is_idx == 0),
        "step_key": strings.lookup(in_keys, np.where(is_idx == 0, np.repeat(p_key, 2), -1)),
    }, n_path)
    del p_ev, p_no, p_key, p_index, is_idx, path_ev
    progress(f"events: {n_ev:,}")

    # ---------------------------------------------------------------- contexts
    owner = runs.key_owner[x_run, x_slot]
    ctx_keys = [x_pipe, x_run, x_pipe * NS + x_slot, np.where(owner >= 0, owner * NS + x_slot,
                                                               -1)]
    firsts, ranks, invs, uniqs = [], [], [], []
    for rank, keys in enumerate(ctx_keys):
        valid = keys >= 0
        vk = keys[valid]
        uq, first, inv = np.unique(vk, return_index=True, return_inverse=True)
        vidx = np.nonzero(valid)[0]
        firsts.append(vidx[first])
        ranks.append(np.full(uq.size, rank))
        full_inv = np.full(keys.size, -1, dtype=np.int64)
        full_inv[valid] = inv
        invs.append(full_inv)
        uniqs.append(uq)
    c_first = np.concatenate(firsts)
    c_rank = np.concatenate(ranks)
    c_order = np.lexsort((c_rank, c_first))
    n_ctx = c_first.size
    c_id = np.empty(n_ctx, dtype=np.int64)
    c_id[c_order] = np.arange(1, n_ctx + 1)
    ctx_of = np.full((n_exec, 4), -1, dtype=np.int64)
    base = 0
    for rank in range(4):
        m = invs[rank] >= 0
        ctx_of[m, rank] = c_id[base + invs[rank][m]]
        base += uniqs[rank].size
    # names, in id order
    c_first_s, c_rank_s = c_first[c_order], c_rank[c_order]
    c_key_s = np.concatenate(uniqs)[c_order]
    c_type = np.array([tid[n] for n in CONTEXT_TYPES])[c_rank_s]
    run_us = runs.start_ms * 1000 + run_rank % 1000
    node_names = [f"{p}.{EXGEN_NODE_IDS[kind] if s == EXGEN else NODE_IDS[s]}"
                  for p, kind in zip(pipe_names, fleet.exgen_kind.tolist(), strict=True)
                  for s in range(NS)]
    pieces, where = [], []
    for rank in range(4):
        rows_r = np.nonzero(c_rank_s == rank)[0]
        keys_r = c_key_s[rows_r]
        if rank == 0:
            pieces.append(strings.lookup(pipe_names, keys_r))
        elif rank == 1:
            pieces.append(strings.iso_micro(run_us[keys_r]))
        elif rank == 2:
            pieces.append(strings.lookup(node_names, keys_r))
        else:
            pieces.append(strings.hex_digest(rng, rows_r.size))
        where.append(rows_r)
    perm = np.concatenate(where)
    inv_perm = np.empty_like(perm)
    inv_perm[perm] = np.arange(perm.size)
    c_name = pa.concat_arrays(pieces).take(pa.array(inv_perm))
    del pieces, perm, inv_perm
    c_create = x_create[c_first_s]
    valid_assoc = ctx_of >= 0
    a_ctx = ctx_of[valid_assoc]                       # row-major: exec order, rank order
    a_exec_of = np.repeat(x_id, valid_assoc.sum(axis=1))
    c_last = np.zeros(n_ctx + 1, dtype=np.int64)
    np.maximum.at(c_last, a_ctx, x_end[a_exec_of - 1])
    out["Context"] = make_table("Context", {
        "id": np.arange(1, n_ctx + 1), "type_id": c_type, "name": c_name,
        "create_time_since_epoch": c_create, "last_update_time_since_epoch": c_last[1:]},
        n_ctx)
    out["ContextProperty"] = make_table("ContextProperty", {}, 0)
    run_ctx = np.full(runs.n, -1, dtype=np.int64)
    run_ctx[x_run] = ctx_of[:, 1]
    pipe_ctx = np.full(fleet.n, -1, dtype=np.int64)
    pipe_ctx[x_pipe] = ctx_of[:, 0]
    has_run = run_ctx >= 0
    pc_child = run_ctx[has_run]
    pc_parent = pipe_ctx[runs.pipe[has_run]]
    o = np.argsort(pc_child)
    out["ParentContext"] = make_table("ParentContext", {
        "context_id": pc_child[o], "parent_context_id": pc_parent[o]}, pc_child.size)
    out["Association"] = make_table("Association", {
        "id": np.arange(1, a_ctx.size + 1), "context_id": a_ctx, "execution_id": a_exec_of},
        a_ctx.size)
    del a_exec_of, valid_assoc
    progress(f"contexts: {n_ctx:,}, associations: {a_ctx.size:,}")

    # ---------------------------------------------------------------- attributions
    # MLMD attributes every artifact of an (artifact, event) pair to the execution's
    # contexts: inputs at registration (pipeline, run, node), outputs at publish (plus the
    # execution_cache context); one row per (context, artifact), the first time it is seen.
    grp = e_exec * 2 + e_dir
    g_start = np.r_[0, np.nonzero(grp[1:] != grp[:-1])[0] + 1] if n_ev else np.zeros(0, int)
    g_id = np.cumsum(np.r_[0, (grp[1:] != grp[:-1]).astype(np.int64)]) if n_ev else grp
    del grp
    parts_ctx, parts_art, parts_key = [], [], []
    n_art_all = n_art + 1
    for rank in range(4):
        if rank == 3:
            sel = np.nonzero(e_new & (ctx_of[e_xi, 3] >= 0))[0]
        elif rank == 0:
            sel = np.nonzero(e_new)[0]
        else:
            sel = np.arange(n_ev)
        ctx = ctx_of[e_xi[sel], rank]
        if rank in (1, 2):
            key = ctx * n_art_all + e_art[sel]
            _, first = np.unique(key, return_index=True)
            first.sort()
            sel, ctx = sel[first], ctx[first]
            del key, first
        parts_ctx.append(ctx)
        parts_art.append(e_art[sel])
        parts_key.append((g_id[sel] * 4 + rank) * (n_ev + 1) + sel)
    t_key = np.concatenate(parts_key)
    o = np.argsort(t_key, kind="stable")
    t_ctx = np.concatenate(parts_ctx)[o]
    t_art = np.concatenate(parts_art)[o]
    del t_key, o, parts_ctx, parts_art, parts_key
    out["Attribution"] = make_table("Attribution", {
        "id": np.arange(1, t_ctx.size + 1), "context_id": t_ctx, "artifact_id": t_art},
        t_ctx.size)
    del t_ctx, t_art, g_id, g_start
    progress(f"attributions: {out.rows['Attribution']:,}")

    # ---------------------------------------------------------------- properties
    out["ExecutionProperty"] = _execution_props(fleet, runs, x_run, x_slot, x_pipe, x_state,
                                                x_id, tuner_exec)
    out["ArtifactProperty"] = _artifact_props(fleet, runs, a_id, a_run, a_slot, a_j, a_pipe,
                                              art_first, a_uri)
    progress("properties done")
    return {"eid": eid, "run_ctx": run_ctx, "n_exec": n_exec, "n_art": n_art, "n_ev": n_ev}


def _proto_json(value: object) -> str:
    """A proto exec property as TFX stores it: JSON, keys sorted, indented by 2."""
    return json.dumps(value, indent=2, sort_keys=True)


def _input_fingerprint(fleet: Fleet, pipe: np.ndarray, span: np.ndarray,
                       arrived_s: np.ndarray) -> pa.Array:
    """ExampleGen's fingerprint of a span's files (count, bytes, mtime checksums)."""
    n_files = 1 + (span * 7919 + pipe) % 16
    total = (fleet.scale[pipe] * 4e7 * (1 + (span % 97) / 200)).astype(np.int64)
    return strings.join("split:single_split,num_files:", n_files, ",total_bytes:", total,
                        ",xor_checksum:", arrived_s, ",sum_checksum:", arrived_s)


def _module_paths(fleet: Fleet, pipe: np.ndarray, version: np.ndarray, module: str,
                  component: str) -> pa.Array:
    """`module@<root>/_wheels/tfx_user_code_<Component>-0.0+<hash>-...whl`: TFX packs the
    module's directory into one wheel whose hash is the same for every component using it,
    so a new version of the trainer code changes Transform's module_path too."""
    width = int(version.max(initial=0)) + 1
    uniq, inv = np.unique(pipe.astype(np.int64) * width + version, return_inverse=True)
    wheels = []
    for key in uniq.tolist():
        name = fleet.names[key // width]
        digest = hashlib.sha256(f"{name}:{key % width}".encode()).hexdigest()
        wheels.append(f"{module}@{ROOT}/{name}/_wheels/tfx_user_code_{component}-0.0+{digest}"
                      "-py3-none-any.whl")
    return strings.lookup(wheels, inv)


def _execution_props(fleet: Fleet, runs: Runs, x_run: np.ndarray, x_slot: np.ndarray,
                     x_pipe: np.ndarray, x_state: np.ndarray, x_id: np.ndarray,
                     tuner_exec: np.ndarray) -> pa.Table:
    """Exec properties as TFX 1.16 records them: all custom, protos as indented JSON,
    none on resolvers, no error text on failures. ExampleGen's driver adds `span` and
    `input_fingerprint` when it runs, so a cache hit has neither."""
    props = Props()
    names = fleet.names
    has_props = ~((x_slot == EVAL) & (x_state == CANCELED))
    computed = (x_state == COMPLETE) | (x_state == FAILED) | (x_state == RUNNING)
    by_slot = {s: np.nonzero((x_slot == s) & has_props)[0] for s in range(NS)}

    def per_pipe(fmt: str, rows: np.ndarray) -> pa.Array:
        return strings.lookup([fmt.format(p=p) for p in names], x_pipe[rows])

    def add(s: int, name: str, kind: str, value: object, only: np.ndarray | None = None
            ) -> None:
        rows = by_slot[s] if only is None else by_slot[s][only[by_slot[s]]]
        val = value(rows) if callable(value) else value
        props.add(x_id[rows], name, 1, kind, val)

    in_cfg = [_proto_json({"splits": [{"name": "single_split", "pattern": pattern}]})
              for pattern in ("span-{SPAN}/*.csv", "span-{SPAN}/*.tfrecord.gz",
                              "SELECT * FROM `{SPAN}`")]
    add(EXGEN, "input_base", "str", lambda r: per_pipe("gs://fleet-data/{p}/raw", r))
    add(EXGEN, "input_config", "str",
        lambda r: strings.lookup(in_cfg, fleet.exgen_kind[x_pipe[r]]))
    add(EXGEN, "output_config", "str", _proto_json({"split_config": {"splits": [
        {"name": "train", "hash_buckets": 4}, {"name": "eval", "hash_buckets": 1}]}}))
    add(EXGEN, "output_data_format", "int", 6)   # FORMAT_TF_EXAMPLE
    add(EXGEN, "output_file_format", "int", 5)   # FORMAT_TFRECORDS_GZIP
    # The span the driver found: a COMPLETE ExampleGen's own, the next one for a failure.
    tried = runs.span[x_run] + (x_state != COMPLETE)
    add(EXGEN, "span", "int", lambda r: tried[r], only=computed)
    add(EXGEN, "input_fingerprint", "str", lambda r: _input_fingerprint(
        fleet, x_pipe[r], tried[r], runs.create_ms[x_run[r], EXGEN] // 1000), only=computed)
    for s in (STATS, SCHEMA, EXVAL):
        add(s, "exclude_splits", "str", "[]")
    add(SCHEMA, "infer_feature_shape", "int", 1)
    ver = runs.code_version[x_run]
    add(TRANSFORM, "custom_config", "str", "null")
    add(TRANSFORM, "disable_statistics", "int", 0)
    add(TRANSFORM, "force_tf_compat_v1", "int", 0)
    add(TRANSFORM, "module_path", "str", lambda r: _module_paths(
        fleet, x_pipe[r], ver[r], "preprocessing", "Transform"))
    steps = np.array([1000, 2000, 5000, 500, 3000])
    train_args = [_proto_json({"num_steps": int(n)}) for n in steps]
    for s, component in ((TUNER, "Tuner"), (TRAINER, "Trainer")):
        add(s, "module_path", "str", lambda r, c=component: _module_paths(
            fleet, x_pipe[r], ver[r], "model", c))
        add(s, "train_args", "str", lambda r: strings.lookup(train_args, ver[r] % steps.size))
        add(s, "eval_args", "str", _proto_json({"num_steps": 100}))
    add(TUNER, "tune_args", "str", _proto_json({"num_parallel_trials": 4}))
    add(TRAINER, "custom_config", "str", lambda r: strings.lookup(
        [_proto_json({"warm_start": False}), _proto_json({"warm_start": True})],
        fleet.warm[x_pipe[r]].astype(np.int64)))
    add(HPIMPORT, "artifact_uri", "str", lambda r: strings.join(
        per_pipe(ROOT + "/{p}/Tuner/best_hyperparameters", r), tuner_exec[x_pipe[r]], sep="/"))
    add(HPIMPORT, "output_key", "str", "result")
    add(HPIMPORT, "reimport", "int", 0)
    add(EVAL, "eval_config", "str", _proto_json({"metrics_specs": [{"thresholds": {"auc": {
        "value_threshold": {"lower_bound": 0.6},
        "change_threshold": {"direction": "HIGHER_IS_BETTER", "absolute": -1e-10}}}}]}))
    add(EVAL, "example_splits", "str", "null")
    add(EVAL, "fairness_indicator_thresholds", "str", "null")
    add(INFRA, "serving_spec", "str", _proto_json({"tensorflow_serving": {"tags": ["latest"]}}))
    add(INFRA, "validation_spec", "str", _proto_json({"max_loading_time_seconds": 60}))
    add(PUSHER, "custom_config", "str", "null")
    add(PUSHER, "push_destination", "str", lambda r: strings.lookup([_proto_json(
        {"filesystem": {"base_directory": f"gs://fleet-serving/{p}"}}) for p in names],
        x_pipe[r]))
    add(BULK, "data_spec", "str", "{}")
    add(BULK, "model_spec", "str", "{}")
    cpu = runs.cpu[x_run, x_slot]
    has_cpu = ~np.isnan(cpu)
    props.add(x_id[has_cpu], "cpu_seconds", 1, "double", cpu[has_cpu])
    return props.table("ExecutionProperty", "execution_id")


def _anomalies_blessed(blessed: bool) -> str:
    """ExampleValidator's `blessed`: a Struct {split: 1.0 or 0.0} stored as MLMD stores a
    struct custom property, `mlmd-struct::` + base64 of the serialised proto."""
    fields = b""
    for split in (b"train", b"eval"):
        value = b"\x11" + struct.pack("<d", 1.0 if blessed else 0.0)  # Value.number_value
        entry = b"\x0a" + bytes([len(split)]) + split + b"\x12" + bytes([len(value)]) + value
        fields += b"\x0a" + bytes([len(entry)]) + entry               # Struct.fields
    return "mlmd-struct::" + base64.b64encode(fields).decode()


def _artifact_props(fleet: Fleet, runs: Runs, a_id: np.ndarray, a_run: np.ndarray,
                    a_slot: np.ndarray, a_j: np.ndarray, a_pipe: np.ndarray,
                    art_first: np.ndarray, a_uri: pa.Array) -> pa.Table:
    """Artifact properties as TFX 1.16 records them: `Examples.span` only as a custom
    property although the type declares it; statistics and anomalies carry a typed `span`
    that is always 0. `drift_score` and `num_anomalies` are the simulator's drift figures."""
    props = Props()
    tfx = strings.lookup(TFX_VERSIONS, fleet.tfx_version[a_pipe])
    props.add(a_id, "tfx_version", 1, "str", tfx)
    props.add(a_id, "is_external", 1, "int", 0)
    splits = '["train", "eval"]'

    def rows(s: int, j: int = 0) -> np.ndarray:
        return np.nonzero((a_slot == s) & (a_j == j))[0]

    r = rows(EXGEN)
    span = runs.span[a_run[r]]
    props.add(a_id[r], "span", 1, "int", span)
    props.add(a_id[r], "split_names", 0, "str", splits)
    props.add(a_id[r], "input_fingerprint", 1, "str", _input_fingerprint(
        fleet, a_pipe[r], span, runs.create_ms[a_run[r], EXGEN] // 1000))
    props.add(a_id[r], "payload_format", 1, "str", "FORMAT_TF_EXAMPLE")
    props.add(a_id[r], "file_format", 1, "str", "tfrecords_gzip")
    r = rows(TRANSFORM, 1)
    props.add(a_id[r], "split_names", 0, "str", splits)
    r = rows(STATS)
    props.add(a_id[r], "span", 0, "int", 0)
    props.add(a_id[r], "split_names", 0, "str", splits)
    props.add(a_id[r], "sample_rate_by_split", 1, "str", SAMPLE_RATE_BY_SPLIT)
    props.add(a_id[r], "stats_dashboard_link", 1, "str", "")
    props.add(a_id[r], "drift_score", 1, "double", np.round(runs.drift[a_run[r]], 4))
    r = rows(EXVAL)
    anomalies = runs.anomalies[a_run[r]]
    props.add(a_id[r], "span", 0, "int", 0)
    props.add(a_id[r], "split_names", 0, "str", splits)
    props.add(a_id[r], "num_anomalies", 1, "int", anomalies)
    props.add(a_id[r], "blessed", 1, "str", strings.lookup(
        [_anomalies_blessed(False), _anomalies_blessed(True)], (anomalies == 0).astype(np.int64)))
    # ModelBlessing: blessed, the evaluated model and the baseline (uri and id).
    r = rows(EVAL, 1)
    run = a_run[r]
    props.add(a_id[r], "blessed", 1, "int", runs.blessed[run].astype(np.int64))
    m_run = runs.src[run, TRAINER]
    m_id = art_first[m_run, TRAINER]
    props.add(a_id[r], "current_model_id", 1, "int", m_id)
    props.add(a_id[r], "current_model", 1, "str", a_uri.take(pa.array(m_id - 1)))
    has_b = runs.base_run[run] >= 0
    rb = r[has_b]
    b_id = art_first[runs.base_run[run[has_b]], TRAINER]
    props.add(a_id[rb], "baseline_model_id", 1, "int", b_id)
    props.add(a_id[rb], "baseline_model", 1, "str", a_uri.take(pa.array(b_id - 1)))
    r = rows(INFRA)
    props.add(a_id[r], "blessed", 1, "int", runs.infra_ok[a_run[r]].astype(np.int64))
    r = rows(PUSHER)
    pushed = runs.pushed[a_run[r]]
    props.add(a_id[r], "pushed", 1, "int", pushed.astype(np.int64))
    rp = r[pushed]
    version = (runs.end_ms[a_run[rp], PUSHER] // 1000).astype(np.int64)
    props.add(a_id[rp], "pushed_version", 1, "str", strings.join(version))
    props.add(a_id[rp], "pushed_destination", 1, "str", strings.join(
        strings.lookup([f"gs://fleet-serving/{p}" for p in fleet.names], a_pipe[rp]),
        version, sep="/"))
    return props.table("ArtifactProperty", "artifact_id")
