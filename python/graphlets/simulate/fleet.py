"""Per-pipeline plans: template, schedule, lifespan, window, caching, changes of structure."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from .components import (
    BASE_SECONDS,
    BLESSRES,
    BULK,
    EVAL,
    EXGEN,
    EXVAL,
    HPIMPORT,
    INFRA,
    NS,
    PUSHER,
    SCHEMA,
    SPANRES,
    STATS,
    TRAINER,
    TRANSFORM,
    TUNER,
    WARMRES,
)
from .presets import HOUR_MS, Preset

TEMPLATES = ["csv_basic", "tuned_infra", "warmstart_bulk", "bigquery_tuner", "no_transform"]
TEMPLATE_WEIGHTS = np.array([0.35, 0.20, 0.20, 0.10, 0.15])
# ExampleGen variant per template (index into components.EXAMPLE_GENS).
TEMPLATE_EXGEN = np.array([0, 0, 1, 2, 0])
TEMPLATE_WINDOWS = [(1, 2, 3), (3, 5), (2, 3, 4), (7, 14), (2, 4)]
TUNER_NONE, TUNER_ONCE, TUNER_EVERY = 0, 1, 2
TEMPLATE_TUNER = np.array([TUNER_NONE, TUNER_ONCE, TUNER_NONE, TUNER_EVERY, TUNER_NONE])
# Components a pipeline may add or remove mid-life (a change of structure).
FLIPPABLE = np.array([EXVAL, INFRA, BULK])
DOMAINS = [
    "ads_ctr",
    "search_rank",
    "fraud",
    "churn",
    "taxi_fare",
    "spam",
    "reco",
    "pricing",
    "eta",
    "ltv",
    "penguin",
    "forecast",
]
TFX_VERSIONS = ["1.12.0", "1.13.0", "1.14.0", "1.15.1"]


@dataclass(frozen=True)
class Fleet:
    n: int
    names: list[str]
    template: np.ndarray  # int
    exgen_kind: np.ndarray  # int, index into EXAMPLE_GENS
    has: np.ndarray  # (P, NS) bool: base structure
    window: np.ndarray  # int: spans read by Transform / Trainer
    tuner_mode: np.ndarray  # int
    warm: np.ndarray  # bool
    cache_off: np.ndarray  # int slot with caching disabled, -1 for none
    period_ms: np.ndarray  # int
    first_ms: np.ndarray  # int: first scheduled run
    end_ms: np.ndarray  # int: retirement or the end of the window
    retired: np.ndarray  # bool
    p_nodata: np.ndarray  # chance a scheduled run finds no new span
    p_code: np.ndarray  # chance a run ships new trainer code/config
    p_drift: np.ndarray  # chance a new span starts a drift episode
    quality: np.ndarray  # pipeline effect on blessing (logit scale)
    scale: np.ndarray  # data-size factor on durations
    span_base: np.ndarray  # int: first span number
    tfx_version: np.ndarray  # int, index into TFX_VERSIONS
    change_frac: np.ndarray  # (P, 2) float: where in its life a structure change happens
    change_slot: np.ndarray  # (P, 2) int: the component it flips, -1 for none

    def subset(self, lo: int, hi: int) -> Fleet:
        """Pipelines lo..hi-1, numbered from 0 (the simulator runs a fleet in chunks)."""
        rows = slice(lo, hi)
        arrays = {
            f.name: getattr(self, f.name)[rows]
            for f in fields(self)
            if isinstance(getattr(self, f.name), np.ndarray)
        }
        return replace(self, n=hi - lo, names=self.names[rows], **arrays)


def plan_fleet(preset: Preset, rng: np.random.Generator, t0: int, t_end: int) -> Fleet:
    n = preset.pipelines
    span_ms = t_end - t0
    boost = preset.feature_boost
    if preset.cover_templates:
        template = np.arange(n) % len(TEMPLATES)
    else:
        template = rng.choice(len(TEMPLATES), size=n, p=TEMPLATE_WEIGHTS)
    window = np.array([rng.choice(TEMPLATE_WINDOWS[t]) for t in template], dtype=np.int64)

    has = np.zeros((n, NS), dtype=bool)
    has[:, [EXGEN, STATS, SCHEMA, TRAINER, BLESSRES, EVAL, PUSHER]] = True
    has[:, EXVAL] = template != 4
    has[:, SPANRES] = (template == 2) | (template == 4)
    has[:, TRANSFORM] = template != 4
    tuner_mode = TEMPLATE_TUNER[template]
    has[:, TUNER] = tuner_mode != TUNER_NONE
    has[:, HPIMPORT] = tuner_mode == TUNER_ONCE
    has[:, INFRA] = (template == 1) | (template == 3)
    has[:, BULK] = template == 2
    warm = (template == 2) | (rng.random(n) < min(0.6, 0.15 * boost))
    has[:, WARMRES] = warm

    u = rng.random(n)
    off_share = min(0.9, 0.25 * boost)
    cache_off = np.where(
        u < off_share * 0.36,
        STATS,
        np.where(u < off_share * 0.68, TRANSFORM, np.where(u < off_share, TRAINER, -1)),
    )
    cache_off = np.where((cache_off == TRANSFORM) & ~has[:, TRANSFORM], -1, cache_off)

    period_h = np.exp(np.log(preset.period_median_h) + preset.period_sigma * rng.standard_normal(n))
    period_ms = (np.clip(period_h, 1.0, 168.0) * HOUR_MS).astype(np.int64) // 60_000 * 60_000

    existing = rng.random(n) < 0.6
    created = np.where(
        existing,
        t0 + (rng.random(n) * period_ms).astype(np.int64),
        t0 + (rng.random(n) * 0.85 * span_ms).astype(np.int64),
    )
    retired = rng.random(n) < 0.25
    rest = t_end - created
    retire_at = created + ((0.15 + 0.85 * rng.random(n)) * rest).astype(np.int64)
    end_ms = np.where(retired, retire_at, t_end)
    retired = retired & (end_ms < t_end)
    if preset.cover_templates:  # tiny: keep every pipeline alive long enough to show a life
        end_ms = np.where(retired, np.maximum(end_ms, created + span_ms // 2), end_ms)
        end_ms = np.minimum(end_ms, t_end)

    p_nodata = np.minimum(rng.beta(1.5, 10.0, n) * (1.0 + 0.5 * (boost - 1.0)), 0.6)
    p_code = np.clip(period_h / (24 * 14) * boost, 0.003, 0.5)
    p_drift = np.clip(0.06 * np.exp(0.5 * rng.standard_normal(n)), 0.005, 0.3)
    quality = 0.6 * rng.standard_normal(n)

    base_run_s = np.zeros(n)
    for s, sec in BASE_SECONDS.items():
        base_run_s += has[:, s] * sec
    base_run_s += has[:, TRANSFORM] * BASE_SECONDS[TRANSFORM] * (np.sqrt(window) - 1)
    scale = np.exp(0.7 * rng.standard_normal(n))
    scale = np.minimum(scale, 0.6 * period_ms / 1000.0 / base_run_s)

    n_changes = np.minimum(rng.poisson(min(2.0, 0.5 * boost), n), 2)
    change_frac = np.where(
        np.arange(2)[None, :] < n_changes[:, None], 0.15 + 0.8 * rng.random((n, 2)), np.nan
    )
    change_slot = np.where(np.isnan(change_frac), -1, rng.choice(FLIPPABLE, size=(n, 2)))

    names = [f"{DOMAINS[i % len(DOMAINS)]}_{i:04d}" for i in range(n)]
    return Fleet(
        n=n,
        names=names,
        template=template,
        exgen_kind=TEMPLATE_EXGEN[template],
        has=has,
        window=window,
        tuner_mode=tuner_mode,
        warm=warm,
        cache_off=cache_off,
        period_ms=period_ms,
        first_ms=created,
        end_ms=end_ms,
        retired=retired,
        p_nodata=p_nodata,
        p_code=p_code,
        p_drift=p_drift,
        quality=quality,
        scale=scale,
        span_base=rng.choice(np.array([0, 1, 100]), size=n),
        tfx_version=rng.integers(0, len(TFX_VERSIONS), n),
        change_frac=change_frac,
        change_slot=change_slot,
    )
