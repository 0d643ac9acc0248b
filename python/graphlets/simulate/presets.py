"""Fleet sizes and the calibration knobs of the simulator (documented in docs/simulator.md)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..errors import GraphletsError

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
# The window starts on a Monday, like the study's four months of 2020/21 would; any fixed
# instant works, it only has to be the same for every seed.
WINDOW_START_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z


class SimulationError(GraphletsError):
    """A fleet the simulator cannot make: an unknown preset or format, a bad size."""


@dataclass(frozen=True)
class Preset:
    name: str
    pipelines: int
    days: int
    # Median pipeline period in hours (log-normal, clipped to [1 h, 168 h]).
    period_median_h: float = 22.0
    period_sigma: float = 1.0
    # Multiplies every failure/stop probability; >1 only for `tiny`, so that every case
    # of the TFX conventions shows up in a fleet of a few hundred runs.
    case_boost: float = 1.0
    # Give pipeline i template i mod n (tiny: every template is present).
    cover_templates: bool = False
    # Multiplies the per-pipeline chance of structure changes, cache-off nodes, warm
    # start and code changes, and half of it the chance of no new data (tiny only).
    feature_boost: float = 1.0


PRESETS: dict[str, Preset] = {
    "tiny": Preset(
        "tiny",
        pipelines=8,
        days=14,
        period_median_h=5.0,
        period_sigma=0.5,
        case_boost=4.0,
        cover_templates=True,
        feature_boost=3.0,
    ),
    "small": Preset("small", pipelines=40, days=120, period_median_h=23.0),
    "paper": Preset("paper", pipelines=3000, days=120, period_median_h=23.0),
}


def resolve(preset: str, pipelines: int | None, days: int | None) -> Preset:
    if preset not in PRESETS:
        raise SimulationError(f"unknown preset {preset!r}; choose one of {sorted(PRESETS)}")
    chosen = PRESETS[preset]
    if pipelines is not None:
        if pipelines < 1:
            raise SimulationError("--pipelines must be at least 1")
        chosen = replace(chosen, pipelines=pipelines)
    if days is not None:
        if days < 1:
            raise SimulationError("--days must be at least 1")
        chosen = replace(chosen, days=days)
    return chosen
