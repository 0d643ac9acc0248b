"""Benchmark the fleet simulator: rows written, seconds, rows/second and peak RSS per preset.

    python benchmarks/bench_simulate.py            # tiny small
    python benchmarks/bench_simulate.py paper      # the study's scale (<= 5 min, <= 8 GiB)
    python benchmarks/bench_simulate.py small --format sqlite
    python benchmarks/bench_simulate.py paper --pipelines 750 1500 3000 6000  # memory flat

Each preset runs in its own subprocess so that peak memory figures do not mix.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = """
import json, resource, sys, time
from pathlib import Path
from graphlets.simulate import simulate
out = Path({out!r})
s = simulate(out, preset={preset!r}, pipelines={pipelines!r}, seed={seed}, fmt={fmt!r})
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"rows": s.rows_total, "seconds": s.seconds, "peak_kib": peak_kib,
                   "pipelines": s.pipelines, "runs": s.runs, "trainer_runs": s.trainer_runs,
                   "executions": s.executions, "events": s.events,
                   "share_not_pushed": s.share_not_pushed}}))
"""


def run(preset: str, pipelines: int | None, fmt: str, seed: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / ("raw" if fmt == "parquet" else "fleet.sqlite")
        code = CHILD.format(out=str(out), preset=preset, pipelines=pipelines, seed=seed, fmt=fmt)
        done = subprocess.run(
            [sys.executable, "-c", code], check=True, capture_output=True, text=True
        )
        return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("presets", nargs="*", default=["tiny", "small"])
    parser.add_argument("--format", default="parquet", choices=["parquet", "sqlite"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--pipelines", nargs="+", type=int, help="fleet sizes to run each preset at"
    )
    args = parser.parse_args()
    print(
        f"{'preset':<8} {'rows':>12} {'seconds':>8} {'rows/s':>11} {'peak RSS':>10} "
        f"{'pipelines':>9} {'trainer runs':>12} {'not pushed':>10}"
    )
    for preset in args.presets:
        for pipelines in args.pipelines or [None]:
            r = run(preset, pipelines, args.format, args.seed)
            print(
                f"{preset:<8} {r['rows']:>12,} {r['seconds']:>8.1f} "
                f"{r['rows'] / r['seconds']:>11,.0f} {r['peak_kib'] / 2**20:>8.2f} G "
                f"{r['pipelines']:>9,} {r['trainer_runs']:>12,} {r['share_not_pushed']:>10.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
