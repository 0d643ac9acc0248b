"""The hard cases of definitions §2, each a hand-made pipeline in one combined store.

One `dbt build` covers every case in `main` (each case is its own pipeline, so cases do
not interact); the cycle and depth cases live in a second small store built with a small
`max_depth`. Every expectation below is written out by hand from the definitions.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace as NS
from typing import Any

import duckdb
import pytest
from conftest import build
from mlmd_builder import MLMDBuilder, Run, art

from graphlets.dbt_runner import BuildResult, run_dbt
from graphlets.paths import DataDir

T0 = 1_704_067_200_000  # 2024-01-01T00:00:00Z
MINUTE = 60_000
HOUR = 60 * MINUTE
SMALL_DEPTH = 6


def t(hours: float, minutes: float = 0) -> int:
    return T0 + int(hours * HOUR + minutes * MINUTE)


def ingest_span(b: MLMDBuilder, run: Run, hour: int, span: int) -> tuple[int, int]:
    """A CsvExampleGen at `hour` (10 min, cost 10) making one Examples of `span`."""
    execution_id, out = b.execution(
        "CsvExampleGen",
        run=run,
        start=t(hour),
        end=t(hour, 10),
        cost=10.0,
        outputs={"examples": [art("Examples", span=span)]},
    )
    return execution_id, out["examples"][0]


def train(b: MLMDBuilder, run: Run, hour: int, examples: int) -> tuple[int, int]:
    """A Trainer at `hour` + 20 min (30 min, cost 100) on `examples`, making one Model."""
    execution_id, out = b.execution(
        "Trainer",
        run=run,
        start=t(hour, 20),
        end=t(hour, 50),
        cost=100.0,
        inputs={"examples": [examples]},
        outputs={"model": ["Model"]},
    )
    return execution_id, out["model"][0]


def x(execution_id: int) -> str:
    return f"execution:{execution_id}"


def a(artifact_id: int) -> str:
    return f"artifact:{artifact_id}"


# --------------------------------------------------------------------------- the cases


def rolling_windows(b: MLMDBuilder) -> NS:
    """Three daily runs; each trainer reads the last two spans (a rolling window), so
    every ExampleGen but the last sits in two graphlets."""
    c = NS(eg={}, e={}, t={}, m={})
    window: list[int] = []
    for i in (1, 2, 3):
        r = b.run("rolling")
        day = 24 * (i - 1)
        c.eg[i], out = b.execution(
            "CsvExampleGen",
            run=r,
            start=t(day),
            end=t(day, 10),
            cost=10.0 * i,
            outputs={"examples": [art("Examples", span=i)]},
        )
        c.e[i] = out["examples"][0]
        window = [*window, c.e[i]][-2:]
        c.t[i], out = b.execution(
            "Trainer",
            run=r,
            start=t(day, 20),
            end=t(day, 50),
            cost=100.0 * i,
            inputs={"examples": window},
            outputs={"model": ["Model"]},
        )
        c.m[i] = out["model"][0]
    return c


def warm_start(b: MLMDBuilder) -> NS:
    """Run 2 warm-starts from run 1's model (`base_model`) and evaluates against it
    (`baseline_model`); neither the old model nor its history joins graphlet 2."""
    c = NS()
    r1, r2 = b.run("warm"), b.run("warm")
    c.eg1, c.e1 = ingest_span(b, r1, 0, span=1)
    c.t1, c.m1 = train(b, r1, 0, c.e1)
    c.v1, o = b.execution(
        "Evaluator",
        run=r1,
        start=t(1),
        end=t(1, 10),
        cost=5.0,
        inputs={"examples": [c.e1], "model": [c.m1]},
        outputs={"evaluation": ["ModelEvaluation"], "blessing": [art("ModelBlessing", blessed=1)]},
    )
    c.ev1, c.b1 = o["evaluation"][0], o["blessing"][0]
    c.p1, o = b.execution(
        "Pusher",
        run=r1,
        start=t(1, 20),
        end=t(1, 25),
        cost=1.0,
        inputs={"model": [c.m1], "model_blessing": [c.b1]},
        outputs={"pushed_model": [art("PushedModel", pushed=1)]},
    )
    c.pm1 = o["pushed_model"][0]

    c.eg2, c.e2 = ingest_span(b, r2, 24, span=2)
    c.t2, o = b.execution(
        "Trainer",
        run=r2,
        start=t(24, 20),
        end=t(24, 50),
        cost=100.0,
        inputs={"examples": [c.e2], "base_model": [c.m1]},
        outputs={"model": ["Model"]},
    )
    c.m2 = o["model"][0]
    c.v2, o = b.execution(
        "Evaluator",
        run=r2,
        start=t(25),
        end=t(25, 10),
        cost=5.0,
        inputs={"examples": [c.e2], "model": [c.m2], "baseline_model": [c.m1]},
        outputs={"evaluation": ["ModelEvaluation"], "blessing": [art("ModelBlessing", blessed=0)]},
    )
    c.ev2, c.b2 = o["evaluation"][0], o["blessing"][0]
    c.p2, o = b.execution(
        "Pusher",
        run=r2,
        start=t(25, 20),
        end=t(25, 25),
        cost=1.0,
        inputs={"model": [c.m2], "model_blessing": [c.b2]},
        outputs={"pushed_model": [art("PushedModel", pushed=0)]},
    )
    c.pm2 = o["pushed_model"][0]
    return c


def cache_hits(b: MLMDBuilder) -> NS:
    """Run 2 is all cache hits up to the trainer (CACHED executions re-emit run 1's
    artifacts), then evaluates and pushes run 1's model. Run 3 re-ingests from cache and
    really retrains."""
    c = NS()
    r1, r2, r3 = b.run("cache"), b.run("cache"), b.run("cache")
    c.eg1, o = b.execution(
        "CsvExampleGen",
        run=r1,
        start=t(0),
        end=t(0, 10),
        cost=10.0,
        cache_key="k-examplegen",
        outputs={"examples": [art("Examples", span=1)]},
    )
    c.e1 = o["examples"][0]
    c.sg1, o = b.execution(
        "StatisticsGen",
        run=r1,
        start=t(0, 12),
        end=t(0, 15),
        cost=3.0,
        cache_key="k-stats",
        inputs={"examples": [c.e1]},
        outputs={"statistics": ["ExampleStatistics"]},
    )
    c.st1 = o["statistics"][0]
    c.t1, o = b.execution(
        "Trainer",
        run=r1,
        start=t(0, 20),
        end=t(0, 50),
        cost=100.0,
        cache_key="k-trainer",
        inputs={"examples": [c.e1]},
        outputs={"model": ["Model"]},
    )
    c.m1 = o["model"][0]
    c.v1, o = b.execution(
        "Evaluator",
        run=r1,
        start=t(1),
        end=t(1, 10),
        cost=5.0,
        inputs={"examples": [c.e1], "model": [c.m1]},
        outputs={"blessing": [art("ModelBlessing", blessed=0)]},
    )
    c.b1 = o["blessing"][0]

    c.eg2, _ = b.execution(
        "CsvExampleGen",
        run=r2,
        state="CACHED",
        start=t(24),
        end=t(24, 1),
        cache_key="k-examplegen",
        outputs={"examples": [c.e1]},
    )
    c.sg2, _ = b.execution(
        "StatisticsGen",
        run=r2,
        state="CACHED",
        start=t(24, 2),
        end=t(24, 3),
        cache_key="k-stats",
        inputs={"examples": [c.e1]},
        outputs={"statistics": [c.st1]},
    )
    c.t2, _ = b.execution(
        "Trainer",
        run=r2,
        state="CACHED",
        start=t(24, 5),
        end=t(24, 6),
        cost=100.0,
        cache_key="k-trainer",
        inputs={"examples": [c.e1]},
        outputs={"model": [c.m1]},
    )
    c.v2, o = b.execution(
        "Evaluator",
        run=r2,
        start=t(24, 10),
        end=t(24, 20),
        cost=5.0,
        inputs={"examples": [c.e1], "model": [c.m1]},
        outputs={"blessing": [art("ModelBlessing", blessed=1)]},
    )
    c.b2 = o["blessing"][0]
    c.p2, o = b.execution(
        "Pusher",
        run=r2,
        start=t(24, 30),
        end=t(24, 35),
        cost=1.0,
        inputs={"model": [c.m1], "model_blessing": [c.b2]},
        outputs={"pushed_model": [art("PushedModel", pushed=1)]},
    )
    c.pm2 = o["pushed_model"][0]

    c.eg3, _ = b.execution(
        "CsvExampleGen",
        run=r3,
        state="CACHED",
        start=t(48),
        end=t(48, 1),
        cache_key="k-examplegen",
        outputs={"examples": [c.e1]},
    )
    c.t3, o = b.execution(
        "Trainer",
        run=r3,
        start=t(48, 5),
        end=t(48, 30),
        cost=100.0,
        cache_key="k-trainer-2",
        inputs={"examples": [c.e1]},
        outputs={"model": ["Model"]},
    )
    c.m3 = o["model"][0]
    return c


def resolvers(b: MLMDBuilder) -> NS:
    """Run 2 has a Resolver (no inputs, INTERNAL_OUTPUT of the previous span) and two
    trainers; the resolver is bookkeeping of the run and joins both."""
    c = NS()
    r1, r2 = b.run("resolver"), b.run("resolver")
    c.eg1, c.e1 = ingest_span(b, r1, 0, span=1)
    c.t1, c.m1 = train(b, r1, 0, c.e1)

    c.eg2, c.e2 = ingest_span(b, r2, 24, span=2)
    c.rs2, _ = b.execution(
        "Resolver", run=r2, start=t(24, 12), end=t(24, 13), outputs={"examples": [c.e1]}
    )
    c.t2a, o = b.execution(
        "Trainer",
        run=r2,
        start=t(24, 20),
        end=t(24, 50),
        cost=100.0,
        inputs={"examples": [c.e1, c.e2]},
        outputs={"model": ["Model"]},
    )
    c.m2a = o["model"][0]
    c.t2b, o = b.execution(
        "Trainer",
        run=r2,
        start=t(24, 30),
        end=t(24, 55),
        cost=50.0,
        inputs={"examples": [c.e2]},
        outputs={"model": ["Model"]},
    )
    c.m2b = o["model"][0]
    c.v2b, o = b.execution(
        "Evaluator",
        run=r2,
        start=t(25),
        end=t(25, 10),
        cost=5.0,
        inputs={"examples": [c.e2], "model": [c.m2b]},
        outputs={"blessing": [art("ModelBlessing", blessed=1)]},
    )
    c.b2b = o["blessing"][0]
    return c


def failed_trainers(b: MLMDBuilder) -> NS:
    """A FAILED trainer, a RUNNING trainer, a run that failed before any trainer, and a
    CANCELED trainer (no events at all, as MLMD writes it)."""
    c = NS()
    r1, r2, r3, r4 = (b.run("failing") for _ in range(4))
    c.eg1, c.e1 = ingest_span(b, r1, 0, span=1)
    c.t1, _ = b.execution(
        "Trainer",
        run=r1,
        state="FAILED",
        start=t(0, 20),
        end=t(0, 30),
        cost=30.0,
        inputs={"examples": [c.e1]},
    )
    c.eg2, c.e2 = ingest_span(b, r2, 24, span=2)
    c.t2, _ = b.execution(
        "Trainer", run=r2, state="RUNNING", start=t(24, 20), inputs={"examples": [c.e2]}
    )
    c.eg3, _ = b.execution(
        "CsvExampleGen", run=r3, state="FAILED", start=t(48), end=t(48, 5), cost=2.0
    )
    c.eg4, c.e4 = ingest_span(b, r4, 72, span=4)
    c.t4, _ = b.execution("Trainer", run=r4, state="CANCELED", start=t(72, 20), end=t(72, 20))
    return c


def pending_downstream(b: MLMDBuilder) -> NS:
    """The pipeline's last graphlet, its evaluator still RUNNING: pending."""
    c = NS()
    r1 = b.run("pending_ds")
    c.eg1, c.e1 = ingest_span(b, r1, 0, span=1)
    c.t1, c.m1 = train(b, r1, 0, c.e1)
    c.v1, _ = b.execution(
        "Evaluator",
        run=r1,
        state="RUNNING",
        start=t(1),
        inputs={"examples": [c.e1], "model": [c.m1]},
    )
    return c


def stale_running(b: MLMDBuilder) -> NS:
    """The same RUNNING evaluator, but a later graphlet exists: the pending row no longer
    applies and the graphlet is not_blessed (D(T) has an execution)."""
    c = NS()
    r1, r2 = b.run("stale_running"), b.run("stale_running")
    c.eg1, c.e1 = ingest_span(b, r1, 0, span=1)
    c.t1, c.m1 = train(b, r1, 0, c.e1)
    c.v1, _ = b.execution(
        "Evaluator",
        run=r1,
        state="RUNNING",
        start=t(1),
        inputs={"examples": [c.e1], "model": [c.m1]},
    )
    c.eg2, c.e2 = ingest_span(b, r2, 24, span=2)
    c.t2, c.m2 = train(b, r2, 24, c.e2)
    c.v2, o = b.execution(
        "Evaluator",
        run=r2,
        start=t(25),
        end=t(25, 10),
        cost=5.0,
        inputs={"examples": [c.e2], "model": [c.m2]},
        outputs={"blessing": [art("ModelBlessing", blessed=0)]},
    )
    c.b2 = o["blessing"][0]
    return c


def side_with_runs(b: MLMDBuilder) -> NS:
    """ExampleValidator checks the trainer's statistics and schema and feeds nothing on:
    a side branch. An Importer (no inputs) joins its run's trainer. A StatisticsGen that
    also reads the imported artifact (a side member only) does not qualify."""
    c = NS()
    r1 = b.run("side_run")
    c.im1, o = b.execution(
        "Importer",
        run=r1,
        start=t(0, 1),
        end=t(0, 2),
        outputs={"result": [art("Examples", span=99)]},
    )
    c.imported = o["result"][0]
    c.eg1, c.e1 = ingest_span(b, r1, 0, span=1)
    c.sg1, o = b.execution(
        "StatisticsGen",
        run=r1,
        start=t(0, 10),
        end=t(0, 15),
        cost=3.0,
        inputs={"examples": [c.e1]},
        outputs={"statistics": ["ExampleStatistics"]},
    )
    c.st1 = o["statistics"][0]
    c.sc1, o = b.execution(
        "SchemaGen",
        run=r1,
        start=t(0, 15),
        end=t(0, 18),
        cost=1.0,
        inputs={"statistics": [c.st1]},
        outputs={"schema": ["Schema"]},
    )
    c.sch1 = o["schema"][0]
    c.sgx, o = b.execution(
        "StatisticsGen",
        run=r1,
        start=t(0, 20),
        end=t(0, 25),
        cost=3.0,
        inputs={"examples": [c.e1, c.imported]},
        outputs={"statistics": ["ExampleStatistics"]},
    )
    c.stx = o["statistics"][0]
    c.t1, o = b.execution(
        "Trainer",
        run=r1,
        start=t(0, 30),
        end=t(1),
        cost=100.0,
        inputs={"examples": [c.e1], "schema": [c.sch1]},
        outputs={"model": ["Model"]},
    )
    c.m1 = o["model"][0]
    c.ev1, o = b.execution(
        "ExampleValidator",
        run=r1,
        start=t(0, 40),
        end=t(1, 30),
        cost=4.0,
        inputs={"statistics": [c.st1], "schema": [c.sch1]},
        outputs={"anomalies": ["ExampleAnomalies"]},
    )
    c.an1 = o["anomalies"][0]
    return c


def side_without_runs(b: MLMDBuilder) -> NS:
    """No run contexts (pipeline context only): a side execution joins the first
    qualifying trainer, by start time, that starts at or after it."""
    c = NS()
    p = "side_norun"
    c.eg1, o = b.execution(
        "CsvExampleGen",
        pipeline=p,
        start=t(0),
        end=t(0, 5),
        cost=10.0,
        outputs={"examples": [art("Examples", span=1)]},
    )
    c.e1 = o["examples"][0]
    c.imx, o = b.execution(
        "Importer", pipeline=p, start=t(0, 5), end=t(0, 6), outputs={"result": ["Schema"]}
    )
    c.imported = o["result"][0]

    def stats(minute: int) -> tuple[int, int]:
        eid, out = b.execution(
            "StatisticsGen",
            pipeline=p,
            start=t(0, minute),
            end=t(0, minute + 2),
            cost=2.0,
            inputs={"examples": [c.e1]},
            outputs={"statistics": ["ExampleStatistics"]},
        )
        return eid, out["statistics"][0]

    c.sga, c.sta = stats(10)
    c.t1, o = b.execution(
        "Trainer",
        pipeline=p,
        start=t(0, 30),
        end=t(0, 40),
        cost=100.0,
        inputs={"examples": [c.e1]},
        outputs={"model": ["Model"]},
    )
    c.m1 = o["model"][0]
    c.sgb, c.stb = stats(40)
    c.sgd, c.std = stats(60)
    c.t2, o = b.execution(
        "Trainer",
        pipeline=p,
        start=t(0, 60),
        end=t(0, 70),
        cost=100.0,
        inputs={"examples": [c.e1]},
        outputs={"model": ["Model"]},
    )
    c.m2 = o["model"][0]
    c.sgc, c.stc = stats(75)
    return c


def two_keys(b: MLMDBuilder) -> NS:
    """The first run's Evaluator gets the same model as `model` and `baseline_model`:
    one event with two key pairs, a real input. A second evaluator reads it only as a
    baseline: not downstream (a boundary input), but a side branch of the run."""
    c = NS()
    r1 = b.run("twokeys")
    c.eg1, c.e1 = ingest_span(b, r1, 0, span=1)
    c.t1, c.m1 = train(b, r1, 0, c.e1)
    c.v1, o = b.execution(
        "Evaluator",
        run=r1,
        start=t(1),
        end=t(1, 10),
        cost=5.0,
        inputs={"examples": [c.e1], "model": [c.m1], "baseline_model": [c.m1]},
        outputs={"evaluation": ["ModelEvaluation"], "blessing": [art("ModelBlessing", blessed=1)]},
    )
    c.ev1, c.b1 = o["evaluation"][0], o["blessing"][0]
    c.vb, o = b.execution(
        "Evaluator",
        run=r1,
        start=t(1),
        end=t(1, 5),
        cost=5.0,
        inputs={"examples": [c.e1], "baseline_model": [c.m1]},
        outputs={"evaluation": ["ModelEvaluation"]},
    )
    c.evb = o["evaluation"][0]
    c.p1, o = b.execution(
        "Pusher",
        run=r1,
        start=t(1, 20),
        end=t(1, 25),
        cost=1.0,
        inputs={"model": [c.m1], "model_blessing": [c.b1]},
        outputs={"pushed_model": [art("PushedModel", pushed=1)]},
    )
    c.pm1 = o["pushed_model"][0]
    return c


def trainer_output_input(b: MLMDBuilder) -> NS:
    """A trainer reads another trainer's model under a non-boundary key (distillation):
    the boundary still stops there (another trainer's output), recorded as external."""
    c = NS()
    r1, r2 = b.run("distill"), b.run("distill")
    c.eg1, c.e1 = ingest_span(b, r1, 0, span=1)
    c.t1, c.m1 = train(b, r1, 0, c.e1)
    c.t2, o = b.execution(
        "Trainer",
        run=r2,
        start=t(24),
        end=t(24, 30),
        cost=100.0,
        inputs={"examples": [c.e1], "teacher_model": [c.m1]},
        outputs={"model": ["Model"]},
    )
    c.m2 = o["model"][0]
    return c


def push_without_flag(b: MLMDBuilder) -> NS:
    """A PushedModel with no `pushed` property, made by a COMPLETE Pusher: pushed. The
    next run's Pusher FAILED: not_blessed (D(T) has an execution, nothing blessed)."""
    c = NS()
    r1, r2 = b.run("push_noflag"), b.run("push_noflag")
    c.eg1, c.e1 = ingest_span(b, r1, 0, span=1)
    c.t1, c.m1 = train(b, r1, 0, c.e1)
    c.p1, o = b.execution(
        "Pusher",
        run=r1,
        start=t(1),
        end=t(1, 5),
        cost=1.0,
        inputs={"model": [c.m1]},
        outputs={"pushed_model": ["PushedModel"]},
    )
    c.pm1 = o["pushed_model"][0]
    c.eg2, c.e2 = ingest_span(b, r2, 24, span=2)
    c.t2, c.m2 = train(b, r2, 24, c.e2)
    c.p2, _ = b.execution(
        "Pusher",
        run=r2,
        state="FAILED",
        start=t(25),
        end=t(25, 5),
        cost=1.0,
        inputs={"model": [c.m2]},
    )
    return c


def orphan_work(b: MLMDBuilder) -> NS:
    """Data ingested and analysed after the pipeline's last trainer: orphan, wasted."""
    c = NS()
    r1, r2 = b.run("orphan"), b.run("orphan")
    c.eg1, c.e1 = ingest_span(b, r1, 0, span=1)
    c.t1, c.m1 = train(b, r1, 0, c.e1)
    c.eg2, c.e2 = ingest_span(b, r2, 24, span=2)
    c.sg2, o = b.execution(
        "StatisticsGen",
        run=r2,
        start=t(24, 10),
        end=t(24, 15),
        cost=3.0,
        inputs={"examples": [c.e2]},
        outputs={"statistics": ["ExampleStatistics"]},
    )
    c.st2 = o["statistics"][0]
    return c


def cycle(b: MLMDBuilder) -> NS:
    """A broken writer closed a loop: X1 -> A1 -> X2 -> A2 -> X1. The trainer reads A1."""
    c = NS()
    r1 = b.run("cycle")
    c.x1, o = b.execution(
        "Transform",
        run=r1,
        start=t(0),
        end=t(0, 10),
        cost=1.0,
        outputs={"transform_graph": ["TransformGraph"]},
    )
    c.a1 = o["transform_graph"][0]
    c.x2, o = b.execution(
        "Transform",
        run=r1,
        start=t(0, 10),
        end=t(0, 20),
        cost=1.0,
        inputs={"transform_graph": [c.a1]},
        outputs={"transform_graph": ["TransformGraph"]},
    )
    c.a2 = o["transform_graph"][0]
    b.consume(c.x1, c.a2, "transform_graph")
    c.t1, o = b.execution(
        "Trainer",
        run=r1,
        start=t(0, 30),
        end=t(0, 50),
        cost=10.0,
        inputs={"transform_graph": [c.a1]},
        outputs={"model": ["Model"]},
    )
    c.m1 = o["model"][0]
    return c


def chain(b: MLMDBuilder, pipeline: str, links: int) -> NS:
    """ExampleGen -> E0 -> Transform -> A1 -> ... -> A<links> -> Trainer: the trainer's
    upstream is 2 * links + 2 hops deep."""
    c = NS(x={}, a={})
    r1 = b.run(pipeline)
    c.eg, o = b.execution(
        "CsvExampleGen",
        run=r1,
        start=t(0),
        end=t(0, 1),
        cost=1.0,
        outputs={"examples": [art("Examples", span=1)]},
    )
    c.a[0] = o["examples"][0]
    for i in range(1, links + 1):
        c.x[i], o = b.execution(
            "Transform",
            run=r1,
            start=t(0, i),
            end=t(0, i + 1),
            cost=1.0,
            inputs={"examples": [c.a[i - 1]]},
            outputs={"transformed_examples": ["Examples"]},
        )
        c.a[i] = o["transformed_examples"][0]
    c.t1, o = b.execution(
        "Trainer",
        run=r1,
        start=t(1),
        end=t(2),
        cost=10.0,
        inputs={"examples": [c.a[links]]},
        outputs={"model": ["Model"]},
    )
    c.m1 = o["model"][0]
    return c


# --------------------------------------------------------------------------- fixtures


def _connect(data: DataDir) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(data.warehouse), read_only=True)


@pytest.fixture(scope="module")
def main(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, NS, BuildResult]]:
    b = MLMDBuilder()
    cases = NS(
        rolling=rolling_windows(b),
        warm=warm_start(b),
        cache=cache_hits(b),
        resolver=resolvers(b),
        failing=failed_trainers(b),
        pending=pending_downstream(b),
        stale=stale_running(b),
        side_run=side_with_runs(b),
        side_norun=side_without_runs(b),
        twokeys=two_keys(b),
        distill=trainer_output_input(b),
        noflag=push_without_flag(b),
        orphan=orphan_work(b),
    )
    data = DataDir(tmp_path_factory.mktemp("cases"))
    b.write(data.raw)
    result = build(data)
    with _connect(data) as con:
        yield con, cases, result


@pytest.fixture(scope="module")
def deep_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[NS, DataDir]:
    b = MLMDBuilder()
    cases = NS(cycle=cycle(b), long=chain(b, "long_chain", 5), exact=chain(b, "exact_chain", 2))
    data = DataDir(tmp_path_factory.mktemp("deep"))
    b.write(data.raw)
    build(data, {"max_depth": SMALL_DEPTH})
    return cases, data


@pytest.fixture()
def deep(deep_store: tuple[NS, DataDir]) -> Iterator[tuple[Any, NS]]:
    # A connection per test: the guard test runs dbt on this warehouse again.
    cases, data = deep_store
    with _connect(data) as con:
        yield con, cases


# --------------------------------------------------------------------------- helpers


def members(con: Any, graphlet_id: int) -> dict[str, set[str]]:
    rows = con.execute(
        "select member_role, node_id from marts.fct_graphlet_members where graphlet_id = ?",
        [graphlet_id],
    ).fetchall()
    assert len(rows) == len(set(rows)), f"duplicate member rows in graphlet {graphlet_id}"
    out: dict[str, set[str]] = {}
    for role, node_id in rows:
        out.setdefault(role, set()).add(node_id)
    return out


def graphlet(con: Any, graphlet_id: int) -> dict[str, Any]:
    cursor = con.execute("select * from marts.fct_graphlets where graphlet_id = ?", [graphlet_id])
    rows = cursor.fetchall()
    assert len(rows) == 1, f"graphlet {graphlet_id}: {len(rows)} rows"
    return dict(zip([d[0] for d in cursor.description], rows[0], strict=True))


def external_inputs(con: Any, graphlet_id: int) -> set[tuple[int, int, str, tuple[str, ...]]]:
    rows = con.execute(
        "select consumer_execution_id, artifact_id, crossing_reason, event_keys "
        "from marts.fct_graphlet_external_inputs where graphlet_id = ?",
        [graphlet_id],
    ).fetchall()
    return {(r[0], r[1], r[2], tuple(r[3])) for r in rows}


def outcomes(con: Any, *graphlet_ids: int) -> list[str]:
    return [graphlet(con, g)["outcome"] for g in graphlet_ids]


def trainer(i: int) -> dict[str, set[str]]:
    return {"trainer": {x(i)}}


# --------------------------------------------------------------------------- tests


def test_every_trainer_but_cached_ones_is_a_graphlet(main) -> None:
    con, c, _ = main
    expected = {
        *c.rolling.t.values(),
        c.warm.t1,
        c.warm.t2,
        c.cache.t1,
        c.cache.t3,
        c.resolver.t1,
        c.resolver.t2a,
        c.resolver.t2b,
        c.failing.t1,
        c.failing.t2,
        c.failing.t4,
        c.pending.t1,
        c.stale.t1,
        c.stale.t2,
        c.side_run.t1,
        c.side_norun.t1,
        c.side_norun.t2,
        c.twokeys.t1,
        c.distill.t1,
        c.distill.t2,
        c.noflag.t1,
        c.noflag.t2,
        c.orphan.t1,
    }
    found = {r[0] for r in con.execute("select graphlet_id from marts.fct_graphlets").fetchall()}
    assert found == expected
    assert c.cache.t2 not in found  # CACHED trainer


def test_rolling_windows_share_upstream(main) -> None:
    con, c, _ = main
    eg, e, tr, m = c.rolling.eg, c.rolling.e, c.rolling.t, c.rolling.m
    assert members(con, tr[1]) == {
        **trainer(tr[1]),
        "upstream": {a(e[1]), x(eg[1])},
        "downstream": {a(m[1])},
    }
    assert members(con, tr[2]) == {
        **trainer(tr[2]),
        "upstream": {a(e[1]), x(eg[1]), a(e[2]), x(eg[2])},
        "downstream": {a(m[2])},
    }
    assert members(con, tr[3]) == {
        **trainer(tr[3]),
        "upstream": {a(e[2]), x(eg[2]), a(e[3]), x(eg[3])},
        "downstream": {a(m[3])},
    }
    g1, g2, g3 = (graphlet(con, tr[i]) for i in (1, 2, 3))
    assert [g["spans"] for g in (g1, g2, g3)] == [[1], [1, 2], [2, 3]]
    assert [g["span_count"] for g in (g1, g2, g3)] == [1, 2, 2]
    assert [g["new_span_count"] for g in (g1, g2, g3)] == [1, 1, 1]
    assert g1["span_overlap"] is None
    assert g2["span_overlap"] == pytest.approx(0.5)
    assert g3["span_overlap"] == pytest.approx(0.5)
    assert [g["previous_graphlet_id"] for g in (g1, g2, g3)] == [None, tr[1], tr[2]]
    # cost: ExampleGen i costs 10 i, trainer i 100 i; each shared ExampleGen split in two.
    assert [g["cost"] for g in (g1, g2, g3)] == pytest.approx([110.0, 230.0, 350.0])
    assert [g["allocated_cost"] for g in (g1, g2, g3)] == pytest.approx([105.0, 215.0, 340.0])
    assert [g["depth"] for g in (g1, g2, g3)] == [2, 2, 2]
    assert g2["decided_at_ms"] == t(24, 10)  # its latest ingestion: ExampleGen 2
    assert g2["finished_at_ms"] == t(24, 50)
    assert g2["trained_at_ms"] == t(24, 20)
    assert [g["outcome"] for g in (g1, g2, g3)] == ["no_evaluation", "no_evaluation", "pending"]
    # The allocated costs of all graphlets add up to the cost of their executions.
    total = con.execute(
        "select sum(cost) from marts.fct_executions where pipeline_name = 'rolling'"
    ).fetchone()[0]
    assert total == pytest.approx(sum(g["allocated_cost"] for g in (g1, g2, g3)))


def test_rolling_windows_waste_status(main) -> None:
    con, c, _ = main
    rows = dict(
        con.execute(
            "select execution_id, waste_status from marts.fct_execution_waste "
            "where pipeline_name = 'rolling'"
        ).fetchall()
    )
    eg, tr = c.rolling.eg, c.rolling.t
    # ExampleGen 1 only in no_evaluation graphlets; ExampleGen 2 also in the pending one.
    assert rows == {
        eg[1]: "wasted",
        tr[1]: "wasted",
        eg[2]: "pending",
        tr[2]: "wasted",
        eg[3]: "pending",
        tr[3]: "pending",
    }


def test_warm_start_and_baseline_stay_out(main) -> None:
    con, c, _ = main
    w = c.warm
    assert members(con, w.t1) == {
        **trainer(w.t1),
        "upstream": {a(w.e1), x(w.eg1)},
        "downstream": {a(w.m1), x(w.v1), a(w.ev1), a(w.b1), x(w.p1), a(w.pm1)},
    }
    assert members(con, w.t2) == {
        **trainer(w.t2),
        "upstream": {a(w.e2), x(w.eg2)},
        "downstream": {a(w.m2), x(w.v2), a(w.ev2), a(w.b2), x(w.p2), a(w.pm2)},
    }
    g1, g2 = graphlet(con, w.t1), graphlet(con, w.t2)
    assert (g1["is_warm_started"], g2["is_warm_started"]) == (False, True)
    assert external_inputs(con, w.t1) == set()
    # The warm start is the trainer's input under `base_model`: recorded, not walked.
    warm = (w.t2, w.m1, "boundary_key", ("base_model",))
    assert warm in external_inputs(con, w.t2)
    trainer_side = con.execute(
        "select count(*) from marts.fct_graphlet_external_inputs "
        "where graphlet_id = ? and consumer_execution_id = ?",
        [w.t2, w.t2],
    ).fetchone()[0]
    assert trainer_side == 1
    assert g1["external_input_count"] == 0
    assert g2["external_input_count"] >= 1
    assert [g1["outcome"], g2["outcome"]] == ["pushed", "not_blessed"]
    assert (g2["spans"], g2["new_span_count"], g2["span_overlap"]) == ([2], 1, 0.0)
    assert g1["model_artifact_id"] == w.m1 and g2["model_artifact_id"] == w.m2


def test_cache_hits_follow_the_producer(main) -> None:
    con, c, _ = main
    k = c.cache
    assert members(con, k.t1) == {
        **trainer(k.t1),
        "upstream": {a(k.e1), x(k.eg1)},
        # Run 2 evaluates and pushes the model a cached retrain re-emitted: part of D(T1).
        "downstream": {a(k.m1), x(k.v1), a(k.b1), x(k.v2), a(k.b2), x(k.p2), a(k.pm2)},
        "side": {x(k.sg1), a(k.st1)},
    }
    assert members(con, k.t3) == {
        **trainer(k.t3),
        "upstream": {a(k.e1), x(k.eg1)},  # the producer, never the cache hits
        "downstream": {a(k.m3)},
        "side": {x(k.eg3)},  # a cache hit of its own run, no inputs: a side branch
    }
    producers = dict(
        con.execute(
            "select artifact_id, producer_execution_id from intermediate.int_artifacts_produced "
            "where artifact_id in (?, ?, ?)",
            [k.e1, k.st1, k.m1],
        ).fetchall()
    )
    assert producers == {k.e1: k.eg1, k.st1: k.sg1, k.m1: k.t1}
    assert outcomes(con, k.t1, k.t3) == ["pushed", "pending"]
    costs = dict(
        con.execute(
            "select execution_id, cost_source from marts.fct_executions"
            " where execution_id in (?, ?)",
            [k.eg2, k.t2],
        ).fetchall()
    )
    assert costs == {k.eg2: "zero:cached", k.t2: "zero:cached"}
    # EG1 sits in both graphlets: allocated cost 10 / 2 to each.
    g3 = graphlet(con, k.t3)
    assert g3["cost"] == pytest.approx(10.0 + 100.0)
    assert g3["allocated_cost"] == pytest.approx(5.0 + 100.0)


def test_resolver_is_a_side_member_of_every_trainer_of_its_run(main) -> None:
    con, c, _ = main
    r = c.resolver
    assert members(con, r.t1) == {
        **trainer(r.t1),
        "upstream": {a(r.e1), x(r.eg1)},
        "downstream": {a(r.m1)},
    }
    assert members(con, r.t2a) == {
        **trainer(r.t2a),
        "upstream": {a(r.e1), x(r.eg1), a(r.e2), x(r.eg2)},  # E1's producer, not the resolver
        "downstream": {a(r.m2a)},
        "side": {x(r.rs2)},
    }
    assert members(con, r.t2b) == {
        **trainer(r.t2b),
        "upstream": {a(r.e2), x(r.eg2)},
        "downstream": {a(r.m2b), x(r.v2b), a(r.b2b)},
        "side": {x(r.rs2), a(r.e1)},  # the resolver with its (re-emitted) output
    }
    g1, g2a, g2b = (graphlet(con, g) for g in (r.t1, r.t2a, r.t2b))
    assert [g["outcome"] for g in (g1, g2a, g2b)] == [
        "no_evaluation",
        "no_evaluation",
        "blessed_not_pushed",
    ]
    # Spans come from upstream Examples only; the side member E1 is not read by T2b.
    assert (g2a["spans"], g2a["new_span_count"], g2a["span_overlap"]) == ([1, 2], 1, 0.5)
    assert (g2b["spans"], g2b["new_span_count"], g2b["span_overlap"]) == ([2], 0, 1.0)
    assert g2b["previous_graphlet_id"] == r.t2a
    source = con.execute(
        "select cost, cost_source from marts.fct_executions where execution_id = ?", [r.rs2]
    ).fetchone()
    assert source == (0.0, "zero:bookkeeping")
    event_type = con.execute(
        "select event_type from staging.stg_mlmd__events where execution_id = ?", [r.rs2]
    ).fetchall()
    assert event_type == [("INTERNAL_OUTPUT",)]


def test_failed_and_pending_trainers(main) -> None:
    con, c, _ = main
    f = c.failing
    assert members(con, f.t1) == {**trainer(f.t1), "upstream": {a(f.e1), x(f.eg1)}}
    assert members(con, f.t2) == {**trainer(f.t2), "upstream": {a(f.e2), x(f.eg2)}}
    # A CANCELED trainer has no events; its run's ExampleGen joins it as a side branch.
    assert members(con, f.t4) == {**trainer(f.t4), "side": {x(f.eg4), a(f.e4)}}
    assert outcomes(con, f.t1, f.t2, f.t4) == ["training_failed", "pending", "training_failed"]
    for g in (f.t1, f.t2, f.t4):
        assert graphlet(con, g)["model_artifact_id"] is None
    assert graphlet(con, f.t2)["trainer_state"] == "RUNNING"


def test_pending_when_last_graphlet_downstream_running(main) -> None:
    con, c, _ = main
    p, s = c.pending, c.stale
    assert members(con, p.t1) == {
        **trainer(p.t1),
        "upstream": {a(p.e1), x(p.eg1)},
        "downstream": {a(p.m1), x(p.v1)},
    }
    assert outcomes(con, p.t1) == ["pending"]
    # Same running evaluator, but a later graphlet exists: first applicable row.
    assert members(con, s.t1) == {
        **trainer(s.t1),
        "upstream": {a(s.e1), x(s.eg1)},
        "downstream": {a(s.m1), x(s.v1)},
    }
    assert outcomes(con, s.t1, s.t2) == ["not_blessed", "not_blessed"]


def test_side_branches_with_run_contexts(main) -> None:
    con, c, _ = main
    s = c.side_run
    assert members(con, s.t1) == {
        **trainer(s.t1),
        "upstream": {a(s.e1), x(s.eg1), a(s.st1), x(s.sg1), a(s.sch1), x(s.sc1)},
        "downstream": {a(s.m1)},
        "side": {x(s.ev1), a(s.an1), x(s.im1), a(s.imported)},
    }
    g = graphlet(con, s.t1)
    # decided_at: latest end among data-side members, the side ExampleValidator included.
    assert g["decided_at_ms"] == t(1, 30)
    assert g["finished_at_ms"] == t(1, 30)
    assert g["data_validation_execution_count"] == 1
    assert g["bookkeeping_execution_count"] == 1
    assert g["execution_count"] == 6


def test_side_branches_without_run_contexts(main) -> None:
    con, c, _ = main
    s = c.side_norun
    assert members(con, s.t1) == {
        **trainer(s.t1),
        "upstream": {a(s.e1), x(s.eg1)},
        "downstream": {a(s.m1)},
        "side": {x(s.sga), a(s.sta)},
    }
    assert members(con, s.t2) == {
        **trainer(s.t2),
        "upstream": {a(s.e1), x(s.eg1)},
        "downstream": {a(s.m2)},
        # SGb starts after T1 started: the next trainer; SGd starts with T2 (at or after).
        "side": {x(s.sgb), a(s.stb), x(s.sgd), a(s.std)},
    }
    g1 = graphlet(con, s.t1)
    assert (g1["pipeline_name"], g1["run_name"]) == ("side_norun", None)


def test_artifact_under_two_keys_is_a_real_input(main) -> None:
    con, c, _ = main
    k = c.twokeys
    assert members(con, k.t1) == {
        **trainer(k.t1),
        "upstream": {a(k.e1), x(k.eg1)},
        "downstream": {a(k.m1), x(k.v1), a(k.ev1), a(k.b1), x(k.p1), a(k.pm1)},
        # Baseline only: not walked, but all its inputs are members: a side branch.
        "side": {x(k.vb), a(k.evb)},
    }
    assert outcomes(con, k.t1) == ["pushed"]
    events = con.execute(
        "select execution_id, event_keys, is_boundary_input from intermediate.int_events_keyed "
        "where artifact_id = ? and event_direction = 'input' order by execution_id",
        [k.m1],
    ).fetchall()
    assert events == [
        (k.v1, ["model", "baseline_model"], False),
        (k.vb, ["baseline_model"], True),
        (k.p1, ["model"], False),
    ]
    steps = con.execute(
        "select e.execution_id, p.step_count from staging.stg_mlmd__event_paths p "
        "join staging.stg_mlmd__events e using (event_id) where e.artifact_id = ? "
        "and e.execution_id = ?",
        [k.m1, k.v1],
    ).fetchall()
    assert steps == [(k.v1, 4)]
    assert external_inputs(con, k.t1) == set()


def test_another_trainers_model_is_an_external_input(main) -> None:
    con, c, _ = main
    d = c.distill
    assert members(con, d.t1) == {
        **trainer(d.t1),
        "upstream": {a(d.e1), x(d.eg1)},
        "downstream": {a(d.m1)},
    }
    assert members(con, d.t2) == {
        **trainer(d.t2),
        "upstream": {a(d.e1), x(d.eg1)},
        "downstream": {a(d.m2)},
    }
    assert external_inputs(con, d.t2) == {(d.t2, d.m1, "trainer_output", ("teacher_model",))}
    g2 = graphlet(con, d.t2)
    assert (g2["is_warm_started"], g2["external_input_count"]) == (False, 1)


def test_outcome_pushed_without_flag_and_failed_pusher(main) -> None:
    con, c, _ = main
    n = c.noflag
    assert members(con, n.t1) == {
        **trainer(n.t1),
        "upstream": {a(n.e1), x(n.eg1)},
        "downstream": {a(n.m1), x(n.p1), a(n.pm1)},
    }
    assert members(con, n.t2) == {
        **trainer(n.t2),
        "upstream": {a(n.e2), x(n.eg2)},
        "downstream": {a(n.m2), x(n.p2)},
    }
    assert outcomes(con, n.t1, n.t2) == ["pushed", "not_blessed"]


def test_orphan_work(main) -> None:
    con, c, _ = main
    o = c.orphan
    assert members(con, o.t1) == {
        **trainer(o.t1),
        "upstream": {a(o.e1), x(o.eg1)},
        "downstream": {a(o.m1)},
    }
    # Every node in no graphlet, over the whole store, case by case.
    expected = {
        # cache hits of run 2: a run whose only trainer is CACHED (no graphlet in the run)
        x(c.cache.eg2),
        x(c.cache.sg2),
        x(c.cache.t2),
        x(c.failing.eg3),  # a run that failed before any trainer
        x(c.side_run.sgx),
        a(c.side_run.stx),  # one input is only a side member
        # without run contexts: no input at all / no trainer starts at or after it
        x(c.side_norun.imx),
        a(c.side_norun.imported),
        x(c.side_norun.sgc),
        a(c.side_norun.stc),
        x(o.eg2),
        a(o.e2),
        x(o.sg2),
        a(o.st2),  # ingestion after the last trainer
    }
    found = {r[0] for r in con.execute("select node_id from marts.fct_orphan_work").fetchall()}
    assert found == expected
    waste = con.execute(
        "select execution_id, waste_status, is_orphan, graphlet_count "
        "from marts.fct_execution_waste where execution_id in (?, ?, ?, ?) order by execution_id",
        [o.eg1, o.t1, o.eg2, o.sg2],
    ).fetchall()
    assert waste == [
        (o.eg1, "pending", False, 1),
        (o.t1, "pending", False, 1),
        (o.eg2, "wasted", True, 0),
        (o.sg2, "wasted", True, 0),
    ]
    assert outcomes(con, o.t1) == ["pending"]


def test_main_store_is_not_truncated(main) -> None:
    con, _, result = main
    truncated = con.execute("select count(*) from intermediate.int_graphlets_truncated")
    assert truncated.fetchone() == (0,)
    flagged = con.execute("select count(*) from marts.fct_graphlets where is_truncated")
    assert flagged.fetchone() == (0,)
    guard = [n for n in result.nodes if n.name == "assert_no_graphlet_reached_max_depth"]
    assert [n.status for n in guard] == ["pass"]


def test_cycle_terminates_and_is_truncated(deep) -> None:
    con, c = deep
    y = c.cycle
    assert members(con, y.t1) == {
        **trainer(y.t1),
        "upstream": {a(y.a1), x(y.x1), a(y.a2), x(y.x2)},
        "downstream": {a(y.m1)},
    }
    g = graphlet(con, y.t1)
    assert (g["is_truncated"], g["depth"]) == (True, SMALL_DEPTH)


def test_depth_truncation_cuts_members_at_the_bound(deep) -> None:
    con, c = deep
    long, exact = c.long, c.exact
    # T -> A5 (1) -> X5 (2) -> A4 (3) -> X4 (4) -> A3 (5) -> X3 (6): the bound.
    assert members(con, long.t1) == {
        **trainer(long.t1),
        "upstream": {
            a(long.a[5]),
            x(long.x[5]),
            a(long.a[4]),
            x(long.x[4]),
            a(long.a[3]),
            x(long.x[3]),
        },
        "downstream": {a(long.m1)},
        # Cut off, the ExampleGen is in no U/D; with no inputs it is its run's work: side.
        # X1 and X2 (inputs outside the graphlet) stay out.
        "side": {x(long.eg), a(long.a[0])},
    }
    assert graphlet(con, long.t1)["is_truncated"] is True
    # Exactly max_depth deep with nothing left beyond: complete, not truncated.
    assert members(con, exact.t1) == {
        **trainer(exact.t1),
        "upstream": {
            a(exact.a[2]),
            x(exact.x[2]),
            a(exact.a[1]),
            x(exact.x[1]),
            a(exact.a[0]),
            x(exact.eg),
        },
        "downstream": {a(exact.m1)},
    }
    g = graphlet(con, exact.t1)
    assert (g["is_truncated"], g["depth"]) == (False, SMALL_DEPTH)
    truncated = {
        r[0]
        for r in con.execute(
            "select graphlet_id from intermediate.int_graphlets_truncated"
        ).fetchall()
    }
    assert truncated == {c.cycle.t1, long.t1}


def test_truncation_guard_warns(deep_store) -> None:
    _, data = deep_store
    result = run_dbt(
        data,
        "test",
        "--select",
        "assert_no_graphlet_reached_max_depth",
        variables={"max_depth": SMALL_DEPTH},
    )
    assert result.success  # a warning: the truncated graphlets are built and flagged
    assert [(n.name, n.status) for n in result.nodes] == [
        ("assert_no_graphlet_reached_max_depth", "warn")
    ]
