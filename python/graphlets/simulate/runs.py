"""Run-level simulation: which node of which run did what, when, and why (vectorised).

Every array here has one entry per run (R) or per run and slot (R x NS). Runs are laid out
pipeline by pipeline, in schedule order, so "the previous run" of run r is r - 1 when both
belong to the same pipeline. The only Python loop walks the run *index* k (at most a few
thousand steps, each a numpy operation over every pipeline), because a push decision
depends on when the pipeline last pushed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .components import (
    BASE_SECONDS,
    BLESSRES,
    BOOKKEEPING,
    BULK,
    CACHED,
    CANCELED,
    COMPLETE,
    EVAL,
    EXGEN,
    EXVAL,
    FAILED,
    HPIMPORT,
    INFRA,
    NS,
    PARALLELISM,
    PUSHER,
    RESOLVERS,
    RUNNING,
    SCHEMA,
    SPANRES,
    STATS,
    TRAINER,
    TRANSFORM,
    TUNER,
    WARMRES,
)
from .fleet import TUNER_ONCE, Fleet
from .presets import DAY_MS, Preset

# Stop codes: how a run ends early (documented in docs/simulator.md).
STOP_NONE, STOP_EXGEN, STOP_TRANSFORM, STOP_TRAINER_FAIL, STOP_TRAINER_CANCEL = 0, 1, 2, 3, 4
STOP_EVAL_CANCEL, STOP_EVAL_FAIL = 5, 6
STOP_P = np.array([0.008, 0.010, 0.020, 0.008, 0.015, 0.005])
CODE_CHANGE_EXTRA_FAIL = 0.08

# Blessing model (logit scale); see docs/simulator.md for why these signs and sizes.
B0, B_DRIFT, B_NODATA, B_STRUCT, B_CODE, B_STALE = 3.6, 80.0, 8.0, 4.5, 0.7, 0.35
# Drift hurts the model only beyond what it tolerates (the L-infinity threshold a TFDV
# drift comparator would be set to): the penalty is B_DRIFT x (drift_score - DRIFT_TOL)+.
DRIFT_TOL = 0.1
INFRA_FAIL_P = 0.03
# Drift figures: calm spans Gamma(2, DRIFT_CALM_SCALE); drifting spans DRIFT_FLOOR +
# Gamma(2, DRIFT_SCALE); num_anomalies Poisson(ANOM_CALM) calm, Poisson(ANOM_DRIFT_BASE +
# ANOM_PER_DRIFT x drift) drifting. Episodes last Geometric(DRIFT_EPISODE_P) spans.
DRIFT_CALM_SCALE, DRIFT_FLOOR, DRIFT_SCALE = 0.015, 0.15, 0.08
ANOM_CALM, ANOM_DRIFT_BASE, ANOM_PER_DRIFT = 0.05, 2.0, 10.0
DRIFT_EPISODE_P = 0.2


@dataclass
class Runs:
    n: int
    pipe: np.ndarray
    k: np.ndarray
    start_ms: np.ndarray
    present: np.ndarray  # (R, NS) planned structure of the run
    stat: np.ndarray  # (R, NS) execution state, 0 = no execution
    src: np.ndarray  # (R, NS) run whose COMPLETE execution made the outputs used
    key_owner: np.ndarray  # (R, NS) run whose execution opened the execution_cache context
    create_ms: np.ndarray  # (R, NS)
    end_ms: np.ndarray  # (R, NS)
    cpu: np.ndarray  # (R, NS) cpu_seconds, NaN = not recorded
    span: np.ndarray  # span of the Examples ExampleGen emitted in the run
    exgen_count: np.ndarray  # Examples produced by the pipeline up to and incl. the run
    drift: np.ndarray  # drift_score recorded on the run's statistics (by span)
    anomalies: np.ndarray  # num_anomalies recorded on the run's anomalies
    drifting: np.ndarray  # the simulator's own drift regime (truth only)
    code_version: np.ndarray
    code_change: np.ndarray
    struct_change: np.ndarray
    warm_run: np.ndarray  # run of the Model the warm-start resolver hands on, -1
    base_run: np.ndarray  # run of the latest blessed Model (Evaluator baseline), -1
    base_bless_run: np.ndarray  # run of that Model's ModelBlessing, -1
    blessed: np.ndarray  # ModelBlessing.blessed of a COMPLETE Evaluator
    infra_ok: np.ndarray  # InfraBlessing.blessed of a COMPLETE InfraValidator
    pushed: np.ndarray  # PushedModel.pushed of a COMPLETE Pusher
    # per trainer run (indexed by run): the push decision and its inputs
    judged: np.ndarray
    model_pushed: np.ndarray  # as the store records it: the window cut no part of it
    model_blessed: np.ndarray  # likewise: the deciding Evaluator completed
    bless_prob: np.ndarray
    days_since_push: np.ndarray


def _group_start(pipe: np.ndarray) -> np.ndarray:
    """For each run, the index of its pipeline's first run."""
    first = np.r_[True, pipe[1:] != pipe[:-1]]
    return np.maximum.accumulate(np.where(first, np.arange(pipe.size), 0))


def _ffill(mask: np.ndarray, pstart: np.ndarray) -> np.ndarray:
    """Index of the latest run <= r of the same pipeline where mask holds, else -1."""
    acc = np.maximum.accumulate(np.where(mask, np.arange(mask.size), -1))
    return np.where(acc >= pstart, acc, -1)


def _prev(x: np.ndarray, first: np.ndarray, fill: int | bool) -> np.ndarray:
    out = np.empty_like(x)
    out[1:] = x[:-1]
    out[:1] = fill
    out[first] = fill
    return out


def _group_count(mask: np.ndarray, pstart: np.ndarray) -> np.ndarray:
    cs = np.cumsum(mask)
    return cs - (cs[pstart] - mask[pstart])


def schedule(fleet: Fleet, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    n_runs = np.maximum((fleet.end_ms - fleet.first_ms) // fleet.period_ms + 1, 0)
    n_runs = np.where(fleet.end_ms > fleet.first_ms, n_runs, 0)
    pipe = np.repeat(np.arange(fleet.n), n_runs)
    offs = np.r_[0, np.cumsum(n_runs)[:-1]]
    k = np.arange(pipe.size) - np.repeat(offs, n_runs)
    period = fleet.period_ms[pipe]
    jitter = np.minimum(
        rng.exponential(1.0, pipe.size) * np.minimum(0.02 * period, 300_000), 0.05 * period
    ).astype(np.int64)
    start = fleet.first_ms[pipe] + k * period + jitter
    keep = start < fleet.end_ms[pipe]
    pipe, k, start = pipe[keep], k[keep], start[keep]
    return pipe, k, start, np.bincount(pipe, minlength=fleet.n)


@dataclass
class _Schedule:
    """The runs in schedule order, pipeline by pipeline, and where each pipeline starts."""

    pipe: np.ndarray
    k: np.ndarray
    start: np.ndarray
    runs_per_pipeline: np.ndarray
    first: np.ndarray  # the pipeline's first run
    pstart: np.ndarray  # index of the pipeline's first run
    is_last: np.ndarray  # the pipeline's last run

    @classmethod
    def of(cls, fleet: Fleet, rng: np.random.Generator) -> _Schedule:
        pipe, k, start, runs_per_pipeline = schedule(fleet, rng)
        return cls(
            pipe=pipe,
            k=k,
            start=start,
            runs_per_pipeline=runs_per_pipeline,
            first=k == 0,
            pstart=_group_start(pipe),
            is_last=np.r_[pipe[1:] != pipe[:-1], True],
        )

    @property
    def n(self) -> int:
        return self.pipe.size


@dataclass
class _Draws:
    """Per-run random events, drawn in one fixed order (same seed, same fleet)."""

    new_span: np.ndarray
    code_change: np.ndarray
    code_version: np.ndarray
    stop: np.ndarray
    u_bless: np.ndarray
    infra_ok: np.ndarray


def _plan_structure(fleet: Fleet, runs: _Schedule) -> tuple[np.ndarray, np.ndarray]:
    """Which slots each run has: its template, the tuner once then the importer, and the
    pipeline's changes of structure; and the runs where a change happens."""
    pipe, k, first = runs.pipe, runs.k, runs.first
    present = fleet.has[pipe].copy()
    once = fleet.tuner_mode[pipe] == TUNER_ONCE
    present[:, TUNER] &= ~once | first
    present[:, HPIMPORT] &= ~first
    struct_change = np.zeros(runs.n, dtype=bool)
    for c in range(2):
        slot = fleet.change_slot[pipe, c]
        frac = fleet.change_frac[pipe, c]
        has_c = slot >= 0
        change_k = np.where(
            has_c, np.ceil(np.nan_to_num(frac) * runs.runs_per_pipeline[pipe]), np.inf
        )
        change_k = np.maximum(change_k, 1)
        flip = has_c & (k >= change_k)
        rows = np.nonzero(flip)[0]
        present[rows, slot[rows]] ^= True
        struct_change |= has_c & (k == change_k)
    return present, struct_change


def _draw_events(fleet: Fleet, preset: Preset, runs: _Schedule, rng: np.random.Generator) -> _Draws:
    """New data, code changes and how each run stops (see the STOP_ codes)."""
    r_n, pipe = runs.n, runs.pipe
    new_span = rng.random(r_n) >= fleet.p_nodata[pipe]
    code_change = (rng.random(r_n) < fleet.p_code[pipe]) & ~runs.first
    code_version = 1 + _group_count(code_change, runs.pstart)
    p_stop = STOP_P * preset.case_boost
    u = rng.random(r_n)
    cum = np.cumsum(p_stop)
    stop = np.searchsorted(cum, u, side="right") + 1
    stop = np.where(stop > len(p_stop), STOP_NONE, stop)
    extra = code_change & (rng.random(r_n) < CODE_CHANGE_EXTRA_FAIL) & (stop == STOP_NONE)
    stop = np.where(extra, STOP_TRAINER_FAIL, stop)
    # A retired pipeline often dies mid-run: its last run ingests and then fails (orphans).
    dying = runs.is_last & fleet.retired[pipe] & (rng.random(r_n) < 0.5)
    stop = np.where(dying, np.where(rng.random(r_n) < 0.5, STOP_EXGEN, STOP_TRANSFORM), stop)
    u_bless = rng.random(r_n)
    infra_ok = rng.random(r_n) >= INFRA_FAIL_P * min(preset.case_boost, 3.0)
    return _Draws(
        new_span=new_span,
        code_change=code_change,
        code_version=code_version,
        stop=stop,
        u_bless=u_bless,
        infra_ok=infra_ok,
    )


class _Executions:
    """The (run, slot) execution grid, filled in slot by slot in pipeline order: state,
    the run whose COMPLETE execution made the outputs used (`src`), whether the outputs
    differ from the previous run's (`outputs_changed`), the run that opened the
    execution_cache context (`key_owner`), and which runs are still going (`alive`)."""

    def __init__(self, runs: _Schedule, present: np.ndarray, cache_off: np.ndarray) -> None:
        r_n = runs.n
        self.runs = runs
        self.present = present
        self.cache_off = cache_off
        self.stat = np.zeros((r_n, NS), dtype=np.int8)
        self.src = np.full((r_n, NS), -1, dtype=np.int64)
        self.key_owner = np.full((r_n, NS), -1, dtype=np.int64)
        self.outputs_changed = np.zeros((r_n, NS), dtype=bool)
        self.alive = np.ones(r_n, dtype=bool)
        self.inputs_changed = np.zeros(r_n, dtype=bool)

    def _previous(self, x: np.ndarray, fill: int | bool) -> np.ndarray:
        return _prev(x, self.runs.first, fill)

    def _latest(self, mask: np.ndarray) -> np.ndarray:
        return _ffill(mask, self.runs.pstart)

    def finish(
        self,
        s: int,
        present: np.ndarray,
        computed: np.ndarray,
        fail: np.ndarray | None = None,
        fail_state: np.ndarray | int = FAILED,
    ) -> None:
        """Record slot `s`: computed runs COMPLETE (or failed), other present runs CACHED."""
        st = np.where(computed, COMPLETE, np.where(present, CACHED, 0)).astype(np.int8)
        if fail is not None:
            fail = fail & computed
            st = np.where(fail, fail_state, st).astype(np.int8)
            self.alive[fail] = False
        effective = (st == COMPLETE) | (st == CACHED)
        self.stat[:, s] = st
        source = np.where(effective, self._latest(st == COMPLETE), -1)
        self.src[:, s] = source
        self.outputs_changed[:, s] = effective & (source != self._previous(source, -1))
        # execution_cache: a COMPLETE run with new inputs opens a context; a recomputation
        # (cache off, same inputs) and a cache hit join the context of their source.
        opens = computed & (self.inputs_changed | ~self._previous(effective, False))
        self.key_owner[:, s] = np.where(st > 0, self._latest(opens), -1)

    def standard(
        self,
        s: int,
        changed: np.ndarray,
        fail: np.ndarray | None = None,
        fail_state: np.ndarray | int = FAILED,
    ) -> None:
        """A cached component: it computes when its inputs changed, the cache is off for
        it, or the previous run's execution did not succeed."""
        present = self.present[:, s] & self.alive
        self.inputs_changed = changed | self.runs.first
        drawn = np.zeros(self.runs.n, dtype=bool) if fail is None else fail
        # eff[r-1] depends on computed[r-1] only through failures (a cache hit cannot
        # fail): iterate to the fixed point, which a few rounds reach.
        prev_ok = self._previous(present & ~drawn, False)
        forced = self.inputs_changed | (self.cache_off == s)
        for _ in range(6):
            computed = present & (forced | ~prev_ok)
            nxt = self._previous(present & ~(drawn & computed), False)
            if np.array_equal(nxt, prev_ok):
                break
            prev_ok = nxt
        computed = present & (forced | ~prev_ok)
        self.finish(s, present, computed, fail, fail_state)

    def resolver(self, s: int, changed: np.ndarray) -> None:
        """A resolver: always COMPLETE, never cached; its pick changes with `changed`."""
        present = self.present[:, s] & self.alive
        self.stat[:, s] = np.where(present, COMPLETE, 0)
        self.src[:, s] = np.where(present, np.arange(self.runs.n), -1)
        self.outputs_changed[:, s] = present & (changed | ~self._previous(present, False))

    def importer(self, s: int) -> None:
        """The first import publishes a new artifact, later ones are CACHED re-imports."""
        present = self.present[:, s] & self.alive
        self.inputs_changed = _group_count(present, self.runs.pstart) == 1
        self.finish(s, present, present & self.inputs_changed)
        self.key_owner[:, s] = -1


def _run_to_trainer(ex: _Executions, fleet: Fleet, draws: _Draws) -> np.ndarray:
    """Ingestion to training, slot by slot; returns the run of the Model each warm-start
    resolver hands on (-1 without one)."""
    runs, oc, stop = ex.runs, ex.outputs_changed, draws.stop
    has_transform = fleet.has[runs.pipe, TRANSFORM]
    transform_stop_slot = np.where(has_transform, TRANSFORM, STATS)
    ex.standard(EXGEN, draws.new_span, stop == STOP_EXGEN)
    ex.standard(STATS, oc[:, EXGEN], (stop == STOP_TRANSFORM) & (transform_stop_slot == STATS))
    ex.standard(SCHEMA, oc[:, STATS])
    ex.standard(EXVAL, oc[:, STATS] | oc[:, SCHEMA])
    ex.resolver(SPANRES, oc[:, EXGEN])
    # The trainer code shares Transform's module directory, so TFX packs both into one
    # wheel whose hash is in `module_path`: new trainer code misses Transform's cache too.
    ex.standard(
        TRANSFORM,
        oc[:, EXGEN] | oc[:, SCHEMA] | draws.code_change,
        (stop == STOP_TRANSFORM) & (transform_stop_slot == TRANSFORM),
    )
    ex.standard(TUNER, oc[:, TRANSFORM] | oc[:, SCHEMA] | draws.code_change)
    ex.importer(HPIMPORT)
    ex.resolver(WARMRES, np.zeros(runs.n, dtype=bool))
    trainer_changed = (
        oc[:, TRANSFORM]
        | oc[:, SCHEMA]
        | oc[:, TUNER]
        | oc[:, HPIMPORT]
        | draws.code_change
        | fleet.warm[runs.pipe]
        | (~has_transform & oc[:, EXGEN])
    )
    trainer_fail = (stop == STOP_TRAINER_FAIL) | (stop == STOP_TRAINER_CANCEL)
    ex.standard(
        TRAINER,
        trainer_changed,
        trainer_fail,
        np.where(stop == STOP_TRAINER_CANCEL, CANCELED, FAILED),
    )
    # Warm start: the latest Model trained before this run (latest_model_resolver).
    stat = ex.stat
    warm_run = _prev(_ffill(stat[:, TRAINER] == COMPLETE, runs.pstart), runs.first, -1)
    warm_run = np.where(stat[:, WARMRES] > 0, warm_run, -1)
    oc[:, WARMRES] = (stat[:, WARMRES] > 0) & (warm_run != _prev(warm_run, runs.first, -1))
    return warm_run


@dataclass
class _Data:
    """Per run: the span of its Examples and the drift and anomaly figures recorded."""

    span: np.ndarray
    exgen_count: np.ndarray
    drift: np.ndarray
    drifting: np.ndarray
    anomalies: np.ndarray
    nodata: np.ndarray


def _record_data(ex: _Executions, fleet: Fleet, rng: np.random.Generator) -> _Data:
    """Spans, drift and anomalies, drawn per Examples artifact (i.e. per span)."""
    runs, stat = ex.runs, ex.stat
    exgen_count = _group_count(stat[:, EXGEN] == COMPLETE, runs.pstart)
    span = fleet.span_base[runs.pipe] + exgen_count - 1
    new_rows = np.nonzero(stat[:, EXGEN] == COMPLETE)[0]
    pipe_new = runs.pipe[new_rows]
    drifting_new = _drift_episodes(pipe_new, fleet.p_drift[pipe_new], rng)
    drift_new = np.where(
        drifting_new,
        DRIFT_FLOOR + rng.gamma(2.0, DRIFT_SCALE, new_rows.size),
        rng.gamma(2.0, DRIFT_CALM_SCALE, new_rows.size),
    )
    anom_new = rng.poisson(
        np.where(drifting_new, ANOM_DRIFT_BASE + ANOM_PER_DRIFT * drift_new, ANOM_CALM)
    )
    exgen_src = ex.src[:, EXGEN]
    pos = np.searchsorted(new_rows, np.maximum(exgen_src, 0))
    pos = np.minimum(pos, max(new_rows.size - 1, 0))
    valid = exgen_src >= 0
    return _Data(
        span=span,
        exgen_count=exgen_count,
        drift=np.where(valid, drift_new[pos] if new_rows.size else 0.0, 0.0),
        drifting=valid & (drifting_new[pos] if new_rows.size else False),
        anomalies=np.where(valid, anom_new[pos] if new_rows.size else 0, 0),
        nodata=stat[:, EXGEN] == CACHED,
    )


def _evaluate_and_deploy(
    ex: _Executions, fleet: Fleet, draws: _Draws, data: _Data, struct_change: np.ndarray
) -> dict[str, np.ndarray]:
    """Evaluator and the push decision (the one loop, over the run index), then
    InfraValidator, Pusher and BulkInferrer."""
    runs, stat, src, oc, stop = ex.runs, ex.stat, ex.src, ex.outputs_changed, draws.stop
    first, pstart = runs.first, runs.pstart
    alive_after_trainer = ex.alive.copy()
    tc = stat[:, TRAINER] == COMPLETE
    ev_planned = ex.present[:, EVAL] & alive_after_trainer
    ev_stop = ev_planned & tc & ((stop == STOP_EVAL_CANCEL) | (stop == STOP_EVAL_FAIL))
    alive_after_eval = alive_after_trainer & ~ev_stop
    ex.resolver(BLESSRES, np.zeros(runs.n, dtype=bool))
    ex.alive[:] = alive_after_eval
    ex.standard(INFRA, oc[:, TRAINER] | oc[:, EXGEN])
    infra_src = src[:, INFRA]
    infra_ok = np.where(infra_src >= 0, draws.infra_ok[np.maximum(infra_src, 0)], True)

    ev = _decide(
        fleet,
        runs.pipe,
        runs.k,
        runs.start,
        stat,
        src,
        oc,
        ev_planned,
        stop,
        draws.u_bless,
        infra_ok,
        data.drift,
        data.nodata,
        struct_change,
        draws.code_change,
    )
    stat[:, EVAL] = ev["stat"]
    ev_eff = (ev["stat"] == COMPLETE) | (ev["stat"] == CACHED)
    esrc = np.where(ev_eff, _ffill(ev["stat"] == COMPLETE, pstart), -1)
    src[:, EVAL] = esrc
    oc[:, EVAL] = ev_eff & (esrc != _prev(esrc, first, -1))
    ev_comp = np.isin(ev["stat"], (COMPLETE, FAILED, CANCELED))
    ex.key_owner[:, EVAL] = np.where(ev["stat"] > 0, _ffill(ev_comp, pstart), -1)
    ex.key_owner[:, EVAL] = np.where(ev["stat"] == CANCELED, -1, ex.key_owner[:, EVAL])
    ev["base_run"] = np.where(stat[:, BLESSRES] > 0, ev["base"], -1)
    ev["base_bless_run"] = np.where(stat[:, BLESSRES] > 0, ev["base_ev"], -1)
    oc[:, BLESSRES] = (stat[:, BLESSRES] > 0) & (ev["base_run"] != _prev(ev["base_run"], first, -1))

    ex.alive[:] = alive_after_eval & ev_eff
    ex.standard(PUSHER, oc[:, TRAINER] | oc[:, EVAL] | oc[:, INFRA])
    ex.standard(BULK, oc[:, EXGEN] | oc[:, TRAINER] | oc[:, EVAL])
    ev["pushed"] = np.where(
        stat[:, PUSHER] == COMPLETE, ev["blessed"][np.maximum(esrc, 0)] & infra_ok, False
    )
    for s in RESOLVERS:
        ex.key_owner[:, s] = -1
    return ev


def _close_window(
    ex: _Executions, fleet: Fleet, rng: np.random.Generator, t_end: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times and cost; then the window closes at `t_end`: later executions never
    started, the one under way is RUNNING. Returns (create_ms, end_ms, cpu)."""
    stat, src = ex.stat, ex.src
    create, end, cpu = _times(fleet, ex.runs.pipe, ex.runs.start, stat, rng)
    late = create >= t_end
    stat[late] = 0
    straddle = (stat > 0) & (end > t_end)
    stat[straddle] = RUNNING
    end = np.where(straddle, create + (t_end - create) // 2, end)
    cpu[straddle] = np.nan
    ex.key_owner[(stat == 0) | (stat == RUNNING) | (stat == CANCELED)] = -1
    for s in (EXGEN, STATS, SCHEMA, EXVAL, TRANSFORM, TUNER, TRAINER, EVAL, INFRA, PUSHER, BULK):
        col = stat[:, s]
        src[:, s] = np.where((col == COMPLETE) | (col == CACHED), src[:, s], -1)
    return create, end, cpu


def _settle_decisions(ex: _Executions, ev: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Each trainer run's Model as the store records it: blessed once the deciding
    Evaluator completed, pushed once its Pusher completed too (the window can cut either
    off). Returns (model_blessed, model_pushed)."""
    stat = ex.stat
    decision_run = ev["decision_run"]
    dr = np.maximum(decision_run, 0)
    evaluated = (decision_run >= 0) & (stat[dr, EVAL] == COMPLETE)
    model_blessed = ev["model_blessed"] & evaluated
    model_pushed = ev["model_pushed"] & evaluated & (stat[dr, PUSHER] == COMPLETE)
    return model_blessed, model_pushed


def simulate_runs(fleet: Fleet, preset: Preset, rng: np.random.Generator, t_end: int) -> Runs:
    runs = _Schedule.of(fleet, rng)
    present, struct_change = _plan_structure(fleet, runs)
    draws = _draw_events(fleet, preset, runs, rng)
    ex = _Executions(runs, present, fleet.cache_off[runs.pipe])
    warm_run = _run_to_trainer(ex, fleet, draws)
    data = _record_data(ex, fleet, rng)
    ev = _evaluate_and_deploy(ex, fleet, draws, data, struct_change)
    create, end, cpu = _close_window(ex, fleet, rng, t_end)
    model_blessed, model_pushed = _settle_decisions(ex, ev)
    return Runs(
        n=runs.n,
        pipe=runs.pipe,
        k=runs.k,
        start_ms=runs.start,
        present=present,
        stat=ex.stat,
        src=ex.src,
        key_owner=ex.key_owner,
        create_ms=create,
        end_ms=end,
        cpu=cpu,
        span=data.span,
        exgen_count=data.exgen_count,
        drift=data.drift,
        anomalies=data.anomalies,
        drifting=data.drifting,
        code_version=draws.code_version,
        code_change=draws.code_change,
        struct_change=struct_change,
        warm_run=warm_run,
        base_run=ev["base_run"],
        base_bless_run=ev["base_bless_run"],
        blessed=ev["blessed"],
        infra_ok=draws.infra_ok,
        pushed=ev["pushed"],
        judged=ev["judged"],
        model_pushed=model_pushed,
        model_blessed=model_blessed,
        bless_prob=ev["prob"],
        days_since_push=ev["days"],
    )


def later_trainer(pipe: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Whether a later run of the same pipeline has a (non-cached) trainer execution."""
    rev = mask[::-1]
    prev_pipe = pipe[::-1]
    cs = np.cumsum(rev)
    grp_first = np.r_[True, prev_pipe[1:] != prev_pipe[:-1]]
    gstart = np.maximum.accumulate(np.where(grp_first, np.arange(rev.size), 0))
    count_incl = cs - (cs[gstart] - rev[gstart])
    return (count_incl - rev)[::-1] > 0


def _drift_episodes(pipe: np.ndarray, p_start: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Drift regimes over a pipeline's spans: episodes start at random, last ~5 spans."""
    n = pipe.size
    if n == 0:
        return np.zeros(0, dtype=bool)
    starts = rng.random(n) < p_start
    length = rng.geometric(DRIFT_EPISODE_P, n)
    last = np.r_[pipe[1:] != pipe[:-1], True]
    gend = np.minimum.accumulate(np.where(last, np.arange(n), n)[::-1])[::-1] + 1
    diff = np.zeros(n + 1, dtype=np.int64)
    idx = np.nonzero(starts)[0]
    np.add.at(diff, idx, 1)
    np.add.at(diff, np.minimum(idx + length[idx], gend[idx]), -1)
    return np.cumsum(diff[:-1]) > 0


def _decide(
    fleet: Fleet,
    pipe: np.ndarray,
    k: np.ndarray,
    start: np.ndarray,
    stat: np.ndarray,
    src: np.ndarray,
    oc: np.ndarray,
    ev_planned: np.ndarray,
    stop: np.ndarray,
    u_bless: np.ndarray,
    infra_ok: np.ndarray,
    drift: np.ndarray,
    nodata: np.ndarray,
    struct: np.ndarray,
    code: np.ndarray,
) -> dict[str, np.ndarray]:
    r_n = pipe.size
    p_n = fleet.n
    last_push = fleet.first_ms.astype(np.int64).copy()
    last_bless_t = np.full(p_n, -1, dtype=np.int64)
    last_bless_ev = np.full(p_n, -1, dtype=np.int64)
    evsrc_base = np.full(p_n, -2, dtype=np.int64)
    prev_ev_eff = np.zeros(p_n, dtype=bool)
    out_stat = np.zeros(r_n, dtype=np.int8)
    base = np.full(r_n, -1, dtype=np.int64)
    base_ev = np.full(r_n, -1, dtype=np.int64)
    blessed = np.zeros(r_n, dtype=bool)
    judged = np.zeros(r_n, dtype=bool)
    model_blessed = np.zeros(r_n, dtype=bool)
    model_pushed = np.zeros(r_n, dtype=bool)
    prob_at = np.full(r_n, np.nan)
    days_at = np.full(r_n, np.nan)
    decision_run = np.full(r_n, -1, dtype=np.int64)

    order = np.lexsort((pipe, k))
    bounds = np.searchsorted(k[order], np.arange(k.max() + 2 if r_n else 1))
    trainer_src = src[:, TRAINER]
    tc_all = stat[:, TRAINER] == COMPLETE
    for kk in range(bounds.size - 1):
        idx = order[bounds[kk] : bounds[kk + 1]]
        if idx.size == 0:
            continue
        p = pipe[idx]
        t = trainer_src[idx]
        ts = np.maximum(t, 0)
        tc = tc_all[idx]
        b = last_bless_t[p]
        base[idx] = b
        base_ev[idx] = last_bless_ev[p]
        pres = ev_planned[idx] & (t >= 0)
        comp = pres & (tc | ~prev_ev_eff[p] | (b != evsrc_base[p]) | oc[idx, EXGEN])
        cached = pres & ~comp
        st = stop[idx]
        fail = comp & tc & (st == STOP_EVAL_FAIL)
        cancel = comp & tc & (st == STOP_EVAL_CANCEL)
        ok = comp & ~fail & ~cancel
        decision = ok & ~judged[ts]
        days = (start[idx] - last_push[p]) / DAY_MS
        z = (
            B0
            + fleet.quality[p]
            - B_DRIFT * np.maximum(drift[ts] - DRIFT_TOL, 0.0)
            - B_NODATA * nodata[ts]
            - B_STRUCT * struct[ts]
            - B_CODE * code[ts]
            + B_STALE * np.log1p(days)
        )
        prob = 1.0 / (1.0 + np.exp(-z))
        bl = decision & (u_bless[idx] < prob)
        push = bl & infra_ok[idx]
        out_stat[idx] = np.where(
            ok,
            COMPLETE,
            np.where(cached, CACHED, np.where(fail, FAILED, np.where(cancel, CANCELED, 0))),
        )
        blessed[idx] = bl
        td = ts[decision]
        judged[td] = True
        model_blessed[td] = bl[decision]
        model_pushed[td] = push[decision]
        prob_at[td] = prob[decision]
        days_at[td] = days[decision]
        decision_run[td] = idx[decision]
        last_push[p[push]] = start[idx[push]]
        last_bless_t[p[bl]] = ts[bl]
        last_bless_ev[p[bl]] = idx[bl]
        evsrc_base[p[ok]] = b[ok]
        prev_ev_eff[p] = ok | cached
    return {
        "stat": out_stat,
        "base": base,
        "base_ev": base_ev,
        "blessed": blessed,
        "judged": judged,
        "model_blessed": model_blessed,
        "model_pushed": model_pushed,
        "prob": prob_at,
        "days": days_at,
        "decision_run": decision_run,
    }


def _times(
    fleet: Fleet, pipe: np.ndarray, start: np.ndarray, stat: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r_n = pipe.size
    base = np.zeros(NS)
    for s, sec in BASE_SECONDS.items():
        base[s] = sec
    wfac = np.ones((r_n, NS))
    sq = np.sqrt(fleet.window[pipe].astype(float))
    for s in (TRANSFORM, TUNER, TRAINER):
        wfac[:, s] = sq
    dur = (
        base[None, :]
        * fleet.scale[pipe][:, None]
        * wfac
        * np.exp(0.3 * rng.standard_normal((r_n, NS)))
    )
    dur = np.maximum(dur, 2.0)
    small = rng.uniform(3.0, 20.0, (r_n, NS))
    dur = np.where(stat == CACHED, small, dur)
    for s in BOOKKEEPING:
        dur[:, s] = np.where(stat[:, s] == COMPLETE, rng.uniform(2.0, 5.0, r_n), dur[:, s])
    frac = rng.uniform(0.1, 0.9, (r_n, NS))
    dur = np.where(stat == FAILED, dur * frac, dur)
    dur = np.where(
        stat == CANCELED,
        np.where(
            np.arange(NS)[None, :] == TRAINER, dur * frac * 0.5, rng.uniform(1.0, 2.0, (r_n, NS))
        ),
        dur,
    )
    gap = rng.uniform(5.0, 60.0, (r_n, NS))
    on = stat > 0
    dur = np.where(on, dur, 0.0)
    gap = np.where(on, gap, 0.0)
    total = (dur + gap).sum(axis=1)
    fit = np.minimum(1.0, 0.85 * fleet.period_ms[pipe] / 1000.0 / np.maximum(total, 1.0))
    dur *= fit[:, None]
    gap *= fit[:, None]
    dur_ms = np.round(dur * 1000).astype(np.int64)
    gap_ms = np.round(gap * 1000).astype(np.int64)
    cum = np.cumsum(dur_ms + gap_ms, axis=1)
    create = start[:, None] + cum - dur_ms
    end = create + dur_ms
    par = np.zeros(NS)
    for s, v in PARALLELISM.items():
        par[s] = v
    cpu = dur * par[None, :] * np.exp(0.15 * rng.standard_normal((r_n, NS)))
    costed = ((stat == COMPLETE) | (stat == FAILED)) & (par[None, :] > 0)
    cpu = np.where(costed, np.round(cpu, 1), np.nan)
    return create, end, cpu


__all__ = ["Runs", "simulate_runs", "EXVAL", "SPANRES", "WARMRES", "BULK", "INFRA"]
