"""The fleet simulator: TFX conventions (tiny), determinism, sqlite == parquet, calibration."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import duckdb
import numpy as np
import pyarrow.parquet as pq
import pytest

from graphlets.mlmd_schema import TABLES, column_names
from graphlets.simulate import simulate
from graphlets.simulate.tables import distinct_run_ids

RESOLVER = "tfx.dsl.components.common.resolver.Resolver"
IMPORTER = "tfx.dsl.components.common.importer.Importer"


# The tiny fleet in one chunk, and in chunks of three pipelines (ids, names and truth
# must come out whole when the simulator writes a fleet chunk by chunk).
@pytest.fixture(scope="module", params=[None, 3], ids=["one_chunk", "chunks_of_3"])
def tiny(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> tuple[Path, duckdb.DuckDBPyConnection]:
    root = tmp_path_factory.mktemp("tiny")
    chunking = {"pipelines_per_chunk": request.param} if request.param else {}
    simulate(root / "raw", preset="tiny", seed=0, **chunking)
    con = duckdb.connect()
    for table in TABLES:
        con.execute(f"create view {table} as select * from '{root / 'raw' / table}.parquet'")
    con.execute("""create view X as select x.*, t.name as type_name,
                   split_part(t.name, '.', -1) as cls from Execution x join Type t
                   on t.id = x.type_id""")
    return root, con


def one(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    return con.execute(sql).fetchone()[0]


def test_raw_layer_contract(tiny: tuple[Path, duckdb.DuckDBPyConnection]) -> None:
    root, _ = tiny
    for table, cols in TABLES.items():
        schema = pq.read_schema(root / "raw" / f"{table}.parquet")
        assert schema.names == [c for c, _ in cols]
        want = {"BIGINT": "int64", "VARCHAR": "string", "DOUBLE": "double", "BLOB": "binary"}
        assert [str(t) for t in schema.types] == [want[t] for _, t in cols]


def test_store_integrity(tiny: tuple[Path, duckdb.DuckDBPyConnection]) -> None:
    _, con = tiny
    assert one(con, "select schema_version from MLMDEnv") == 10
    for table in ("Artifact", "Execution", "Context", "Event", "Association", "Attribution"):
        n, lo, hi = con.execute(f"select count(*), min(id), max(id) from {table}").fetchone()
        assert n > 0 and lo == 1 and hi == n, table  # dense ids from 1
    assert one(con, "select min(id) from Type where type_kind = 0 and name like 'mlmd.%'") == 5
    assert one(con, "select max(id) from Type where name like 'mlmd.%'") == 9
    assert (
        one(
            con,
            """select count(*) - count(distinct (artifact_id, execution_id, type))
                       from Event""",
        )
        == 0
    )
    assert (
        one(con, "select count(*) - count(distinct (context_id, artifact_id)) from Attribution")
        == 0
    )
    assert (
        one(con, "select count(*) - count(distinct (context_id, execution_id)) from Association")
        == 0
    )
    assert one(con, "select count(*) - count(distinct (type_id, name)) from Context") == 0
    assert one(con, "select count(*) - count(distinct (type_id, name)) from Execution") == 0
    assert (
        one(
            con,
            """select count(*) from Event e left join Artifact a on a.id = e.artifact_id
                       left join Execution x on x.id = e.execution_id
                       where a.id is null or x.id is null""",
        )
        == 0
    )
    # a URI ends in the id of the execution that wrote it (an Importer's, in its Tuner's;
    # a cache hit outputs the artifacts of the execution it reuses)
    assert (
        one(
            con,
            f"""select count(*) from Artifact a
                join Event e on e.artifact_id = a.id and e.type = 4
                join X on X.id = e.execution_id and X.last_known_state = 3
                left join X as tuner on tuner.id = try_cast(split_part(a.uri, '/', -1) as bigint)
                where case when X.type_name = '{IMPORTER}' then tuner.cls is distinct from 'Tuner'
                      else split_part(a.uri, '/', -1) <> cast(X.id as varchar) end""",
        )
        == 0
    )
    # nothing is read before it exists
    assert (
        one(
            con,
            """select count(*) from Event e join Artifact a on a.id = e.artifact_id
                       where e.milliseconds_since_epoch < a.create_time_since_epoch""",
        )
        == 0
    )
    assert (
        one(
            con,
            """select count(*) from Execution
                       where last_update_time_since_epoch < create_time_since_epoch""",
        )
        == 0
    )
    # the first event of every artifact is an OUTPUT of a COMPLETE execution (its producer)
    assert (
        one(
            con,
            """with f as (select artifact_id, min(id) id from Event group by 1)
                       select count(*) from f join Event e on e.id = f.id
                       join Execution x on x.id = e.execution_id
                       where e.type <> 4 or x.last_known_state <> 3""",
        )
        == 0
    )


def test_run_ids_stay_distinct_across_chunks() -> None:
    # A run id is its start time to the microsecond; one already taken (by a run of this
    # chunk or of an earlier one) moves on until it is free.
    taken = np.array([7, 9])
    assert distinct_run_ids(np.array([5, 5, 7, 8, 6]), taken).tolist() == [5, 6, 8, 10, 11]
    assert distinct_run_ids(np.array([1, 2]), taken).tolist() == [1, 2]


def test_contexts_associations_attributions(tiny: tuple[Path, duckdb.DuckDBPyConnection]) -> None:
    _, con = tiny
    names = {
        r[0]
        for r in con.execute("""select t.name from Context c join Type t
                                      on t.id = c.type_id""").fetchall()
    }
    assert names == {"pipeline", "pipeline_run", "node", "execution_cache"}
    # every execution: pipeline, pipeline_run and node; cache context as TFX's launcher does
    per = con.execute("""select x.cls, x.last_known_state, count(*) n from X x
                     join Association a on a.execution_id = x.id group by x.id, 1, 2""").df()
    assert per["n"].min() >= 3
    no_cache = per[(per.cls.isin(["Resolver", "Importer"])) | per.last_known_state.isin([2, 6])]
    assert (no_cache["n"] == 3).all()
    assert (
        per[per.last_known_state.isin([3, 4, 5]) & ~per.cls.isin(["Resolver", "Importer"])]["n"]
        == 4
    ).all()
    assert (
        one(
            con,
            """select count(*) from ParentContext p join Context c on c.id = p.context_id
                       join Context q on q.id = p.parent_context_id join Type tc on
                       tc.id = c.type_id join Type tq on tq.id = q.type_id
                       where tc.name <> 'pipeline_run' or tq.name <> 'pipeline'""",
        )
        == 0
    )
    # attribution = every input and output artifact to the execution's contexts (inputs
    # not to the cache context), deduplicated per (context, artifact)
    expected = one(
        con,
        """with c as (
          select distinct a.context_id, e.artifact_id from Event e
          join Association a on a.execution_id = e.execution_id
          join Context ctx on ctx.id = a.context_id join Type t on t.id = ctx.type_id
          where e.type in (4, 6) or t.name <> 'execution_cache')
        select count(*) from c full join Attribution b
          on b.context_id = c.context_id and b.artifact_id = c.artifact_id
        where b.id is null or c.context_id is null""",
    )
    assert expected == 0


def test_tfx_cases_all_present(tiny: tuple[Path, duckdb.DuckDBPyConnection]) -> None:
    _, con = tiny
    states = {
        (r[0], r[1])
        for r in con.execute("select cls, last_known_state from X group by all").fetchall()
    }
    for case in [
        ("Trainer", 3),
        ("Trainer", 4),
        ("Trainer", 6),
        ("Evaluator", 6),
        ("Evaluator", 4),
        ("CsvExampleGen", 5),
        ("CsvExampleGen", 4),
        ("StatisticsGen", 5),
        ("Transform", 4),
        ("Importer", 3),
        ("Importer", 5),
        ("Tuner", 3),
        ("InfraValidator", 3),
        ("BulkInferrer", 3),
        ("Pusher", 3),
        ("ImportExampleGen", 3),
        ("BigQueryExampleGen", 3),
        ("Resolver", 3),
    ]:
        assert case in states, case
    # runs still going at the end of the window
    assert one(con, "select count(*) from X where last_known_state = 2") > 0
    # execution types are component class paths
    assert one(con, "select count(*) from X where type_name not like 'tfx.%'") == 0


def test_event_paths(tiny: tuple[Path, duckdb.DuckDBPyConnection]) -> None:
    root, con = tiny
    path = pq.read_table(root / "raw" / "EventPath.parquet").to_pandas()
    steps = path.groupby("event_id", sort=False)["is_index_step"].apply(list)
    assert all(s == [0, 1] * (len(s) // 2) and len(s) >= 2 for s in steps)  # [key, index]+
    assert one(con, "select count(*) from Event") == steps.size
    assert path.event_id.is_monotonic_increasing
    # one artifact filling `model` and `baseline_model`: one event, two pairs
    merged = one(
        con,
        """select count(*) from (select event_id, string_agg(step_key, ',')
                         k from EventPath where is_index_step = 0 group by 1)
                         where k = 'baseline_model,model'""",
    )
    assert merged >= 1
    keys = {
        r[0]
        for r in con.execute(
            "select distinct step_key from EventPath where step_key is not null"
        ).fetchall()
    }
    assert {
        "examples",
        "schema",
        "statistics",
        "model",
        "base_model",
        "baseline_model",
        "model_blessing",
        "pushed_model",
        "transform_graph",
        "hyperparameters",
    } <= keys


def test_resolvers_and_cache_hits(tiny: tuple[Path, duckdb.DuckDBPyConnection]) -> None:
    _, con = tiny
    # Resolvers: no inputs, INTERNAL_OUTPUT only, to artifacts that already exist
    r = con.execute(f"""select e.type, count(*) from Event e join X x on x.id = e.execution_id
                    where x.type_name = '{RESOLVER}' group by 1""").fetchall()
    assert dict(r).keys() == {6}
    # CACHED executions make no artifacts: their OUTPUT events re-emit older ones, which
    # a COMPLETE execution of the same node produced, in the same execution_cache context
    assert (
        one(
            con,
            """select count(*) from Event e join X x on x.id = e.execution_id
                       join Artifact a on a.id = e.artifact_id where x.last_known_state = 5
                       and e.type = 4 and a.create_time_since_epoch >= x.create_time_since_epoch
                       """,
        )
        == 0
    )
    assert (
        one(
            con,
            "select count(*) from X x join Event e on e.execution_id = x.id "
            "where x.last_known_state = 5 and e.type = 4",
        )
        > 50
    )
    bad = one(
        con,
        """
        with cc as (select a.execution_id, a.context_id from Association a join Context c
                    on c.id = a.context_id join Type t on t.id = c.type_id
                    where t.name = 'execution_cache'),
        hit as (select x.id, cc.context_id from X x join cc on cc.execution_id = x.id
                where x.last_known_state = 5)
        select count(*) from hit where not exists (
            select 1 from cc join X y on y.id = cc.execution_id
            where cc.context_id = hit.context_id and y.last_known_state = 3 and y.id < hit.id)
    """,
    )
    assert bad == 0
    # failed/cancelled/running executions publish no outputs
    assert (
        one(
            con,
            """select count(*) from Event e join X x on x.id = e.execution_id
                       where x.last_known_state in (2, 4, 6) and e.type in (4, 6)""",
        )
        == 0
    )
    assert (
        one(
            con,
            """select count(*) from Event e join X x on x.id = e.execution_id
                       where x.cls = 'Evaluator' and x.last_known_state = 6""",
        )
        == 0
    )
    # caching off: two COMPLETE executions in one execution_cache context (recomputation)
    assert (
        one(
            con,
            """select count(*) from (select a.context_id from Association a
                       join X x on x.id = a.execution_id join Context c on c.id = a.context_id
                       where c.type_id = (select id from Type where name = 'execution_cache')
                       and x.last_known_state = 3 group by 1 having count(*) > 1)""",
        )
        > 0
    )


def test_properties(tiny: tuple[Path, duckdb.DuckDBPyConnection]) -> None:
    _, con = tiny
    prop = con.execute("""select t.name, p.name, p.is_custom_property, count(*) n,
                      count(p.int_value) i, count(p.double_value) d, count(p.string_value) s
                      from ArtifactProperty p join Artifact a on a.id = p.artifact_id
                      join Type t on t.id = a.type_id group by all""").fetchall()
    got = {(r[0], r[1], r[2]): r[4:] for r in prop}
    # TFX 1.16: Examples.span only custom (the type declares it), no version
    assert got[("Examples", "span", 1)][0] > 0
    assert ("Examples", "span", 0) not in got and ("Examples", "version", 1) not in got
    assert got[("ModelBlessing", "blessed", 1)][0] > 0
    assert got[("PushedModel", "pushed", 1)][0] > 0
    assert got[("ExampleStatistics", "drift_score", 1)][1] > 0
    assert got[("ExampleAnomalies", "num_anomalies", 1)][0] > 0
    # exactly one value column per property row
    for table in ("ArtifactProperty", "ExecutionProperty"):
        assert (
            one(
                con,
                f"""select count(*) from {table} where (int_value is not null)::int +
                           (double_value is not null)::int + (string_value is not null)::int
                           <> 1""",
            )
            == 0
        )
    # cost: cpu_seconds on computed executions only, never on cache hits or resolvers
    assert (
        one(
            con,
            """select count(*) from ExecutionProperty p join X x on x.id =
                       p.execution_id where p.name = 'cpu_seconds' and (x.last_known_state
                       in (2, 5, 6) or x.cls in ('Resolver', 'Importer'))""",
        )
        == 0
    )
    assert (
        one(
            con,
            """select count(*) from X x where x.last_known_state = 3 and x.cls not in
                       ('Resolver', 'Importer') and not exists (select 1 from
                       ExecutionProperty p where p.execution_id = x.id and
                       p.name = 'cpu_seconds')""",
        )
        == 0
    )
    # realistic durations: Trainer in minutes to hours, cache hits in seconds
    med = dict(
        con.execute("""select cls, median(last_update_time_since_epoch -
                          create_time_since_epoch) / 1000 from X where last_known_state = 3
                          group by 1""").fetchall()
    )
    assert med["Trainer"] > 10 * med["SchemaGen"] > 0
    assert (
        one(
            con,
            """select max(last_update_time_since_epoch - create_time_since_epoch)
                       from X where last_known_state = 5""",
        )
        <= 20_000
    )
    # trainer configuration is recorded as execution properties
    assert (
        one(
            con,
            """select count(distinct p.string_value) from ExecutionProperty p
                       join X x on x.id = p.execution_id where x.cls = 'Trainer' and
                       p.name = 'module_path'""",
        )
        > 8
    )
    # the trainer code's wheel hash is in Transform's module_path too: one hash per run
    assert (
        one(
            con,
            """select count(*) from ExecutionProperty t
                       join Association a on a.execution_id = t.execution_id
                       join Context c on c.id = a.context_id
                       join Type ct on ct.id = c.type_id and ct.name = 'pipeline_run'
                       join Association b on b.context_id = a.context_id
                       join ExecutionProperty m on m.execution_id = b.execution_id
                       join X xt on xt.id = t.execution_id join X xm on xm.id = m.execution_id
                       where xt.cls = 'Transform' and xm.cls = 'Trainer'
                       and t.name = 'module_path' and m.name = 'module_path'
                       and split_part(t.string_value, '+', 2)
                           <> split_part(m.string_value, '+', 2)""",
        )
        == 0
    )


def test_window_overlap_matches_template(tiny: tuple[Path, duckdb.DuckDBPyConnection]) -> None:
    root, con = tiny
    truth = pq.read_table(root / "simulation_truth.parquet").to_pandas()
    spans = con.execute("""
        select x.id, count(*) n from X x join Event e on e.execution_id = x.id
        join EventPath p on p.event_id = e.id and p.is_index_step = 0
        where x.cls = 'Transform' and p.step_key = 'examples' and e.type = 3 group by 1
    """).df()
    ctx = con.execute("""select a.execution_id id, c.name pipeline from Association a
                     join Context c on c.id = a.context_id where c.type_id =
                     (select id from Type where name = 'pipeline')""").df()
    spans = spans.merge(ctx, on="id")
    window = truth.groupby("pipeline")["window"].first()
    spans["window"] = spans.pipeline.map(window)
    assert (spans.n <= spans.window).all()
    # once a pipeline has W spans, every Transform reads exactly W of them
    assert (spans.groupby("pipeline").n.max() == spans.groupby("pipeline").window.first()).all()


def test_graphlet_causes_in_truth(tiny: tuple[Path, duckdb.DuckDBPyConnection]) -> None:
    root, con = tiny
    truth = pq.read_table(root / "simulation_truth.parquet").to_pandas()
    ids = {
        r[0]
        for r in con.execute(
            "select id from X where cls = 'Trainer' and last_known_state <> 5"
        ).fetchall()
    }
    assert set(truth.trainer_execution_id) == ids
    for flag in ("structure_change", "code_change", "no_new_data", "drifting", "pushed", "pending"):
        assert truth[flag].any() and not truth[flag].all(), flag
    assert set(truth.outcome) >= {"pushed", "not_blessed", "training_failed", "pending"}
    # warm start goes through a Resolver into `base_model`
    assert (
        one(
            con,
            """select count(*) from Event e join EventPath p on p.event_id = e.id
                       join X x on x.id = e.execution_id where p.step_key = 'base_model'
                       and x.cls = 'Trainer'""",
        )
        > 0
    )
    # orphan work: ExampleGen runs after a pipeline's last trainer
    assert (
        one(
            con,
            """with pc as (select a.execution_id, a.context_id from Association a
                       join Context c on c.id = a.context_id join Type t on t.id = c.type_id
                       where t.name = 'pipeline'), lt as (select pc.context_id,
                       max(x.create_time_since_epoch) t from X x join pc on pc.execution_id
                       = x.id where x.cls = 'Trainer' group by 1)
                       select count(*) from X x join pc on pc.execution_id = x.id join lt
                       using (context_id) where x.cls like '%ExampleGen'
                       and x.create_time_since_epoch > lt.t""",
        )
        > 0
    )
    # the simulator's causes stay out of the store
    assert (
        one(
            con,
            """select count(*) from (select name from ExecutionProperty union all
                       select name from ArtifactProperty union all select name from
                       ContextProperty) where name in ('drifting', 'structure_change',
                       'code_change', 'no_new_data', 'template')""",
        )
        == 0
    )


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*.parquet"))
    }


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    simulate(tmp_path / "a" / "raw", preset="tiny", seed=7)
    simulate(tmp_path / "b" / "raw", preset="tiny", seed=7)
    simulate(tmp_path / "c" / "raw", preset="tiny", seed=8)
    a, b, c = (_digest(tmp_path / x) for x in "abc")
    assert len(a) == len(TABLES) + 1 and a == b
    assert a != c


def test_sqlite_reads_back_identically(tmp_path: Path) -> None:
    simulate(tmp_path / "p" / "raw", preset="tiny", seed=3)
    store = tmp_path / "s" / "fleet.sqlite"
    summary = simulate(store, preset="tiny", seed=3, fmt="sqlite")
    assert summary.truth_path == store.with_suffix(".truth.parquet")
    assert summary.truth_path.exists()
    con = sqlite3.connect(store)
    assert con.execute("select schema_version from MLMDEnv").fetchall() == [(10,)]
    ddl = con.execute("select sql from sqlite_master where name = 'Event'").fetchone()[0]
    assert "`artifact_id`" in ddl  # MLMD's own backtick-quoted DDL
    for table in TABLES:
        cols = column_names(table)
        order = " order by rowid" if table == "EventPath" else ""
        rows = con.execute(f"select {', '.join(cols)} from `{table}`{order}").fetchall()
        parquet = pq.read_table(tmp_path / "p" / "raw" / f"{table}.parquet").to_pylist()
        want = [tuple(r[c] for c in cols) for r in parquet]
        if table != "EventPath":
            rows, want = sorted(rows, key=repr), sorted(want, key=repr)
        assert rows == want, table
    con.close()


@pytest.fixture(scope="module")
def small_truth(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("small")
    summary = simulate(root / "raw", preset="small", seed=0)
    return summary, pq.read_table(summary.truth_path).to_pandas()


def test_small_calibration(small_truth) -> None:
    summary, truth = small_truth
    assert 20 <= summary.pipelines <= 80
    assert 2_000 <= summary.trainer_runs <= 10_000  # "a few thousand graphlets"
    decided = truth[~truth.pending]
    share = 1 - decided.pushed.mean()
    assert 0.30 < share < 0.50  # study: over 30% of graphlets push nothing
    # cadence: heavy-tailed, hourly to weekly
    per = truth.groupby("pipeline").agg(n=("pushed", "size"), h=("period_hours", "first"))
    assert per.h.min() < 6 and per.h.max() > 72
    assert per.n.max() > 5 * per.n.median()
    # causes: drift, no new data and structure changes push less than calm runs
    calm = decided[~decided.drifting & ~decided.no_new_data & ~decided.structure_change]
    for flag in ("drifting", "no_new_data", "structure_change"):
        assert decided[decided[flag]].pushed.mean() < calm.pushed.mean() - 0.2, flag
    # the decision is predictable from visible signals, but not trivially
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    ev = decided[decided.trainer_complete].copy()
    x = np.column_stack(
        [
            ev.drift_score,
            ev.num_anomalies,
            ev.no_new_data,
            ev.structure_change,
            ev.code_change,
            np.log1p(ev.days_since_last_push.fillna(0)),
        ]
    )
    y = ev.pushed.to_numpy()
    half = len(ev) // 2
    model = LogisticRegression(max_iter=1000).fit(x[:half], y[:half])
    auc = roc_auc_score(y[half:], model.predict_proba(x[half:])[:, 1])
    assert 0.75 < auc < 0.97
