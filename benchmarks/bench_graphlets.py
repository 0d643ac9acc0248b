"""Benchmark graphlet membership: the dbt models against a plain in-memory networkx walk.

    .venv/bin/python benchmarks/bench_graphlets.py                  # simulate `small`
    .venv/bin/python benchmarks/bench_graphlets.py --preset paper   # simulate `paper`
    .venv/bin/python benchmarks/bench_graphlets.py --fixture        # the bundled TFX store
    .venv/bin/python benchmarks/bench_graphlets.py DATA_DIR         # a data dir with raw/
    .venv/bin/python benchmarks/bench_graphlets.py --preset paper --whole  # and every model

1. `dbt build --select +fct_graphlet_members +fct_graphlets --indirect-selection
   cautious` in a subprocess (so the
   peak RSS is dbt's own): wall time per model, total, peak RSS.
2. The same upstream/trainer/downstream membership computed in Python with networkx,
   from the staged tables (events, event paths, executions, types) and the operator
   category seed, following spec section 2 independently of the SQL; also a subprocess.
3. Both memberships compared: mismatch count (0 expected). The Python walk has no depth
   bound; the SQL one stops at `max_depth` (64), which a data test guards.
4. With `--whole`: `graphlets build` of the whole warehouse on the same data (every
   model, seed and data test), its wall time, CPU time and peak RSS.
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench_build import run_step  # this folder is on sys.path when run as a script

from graphlets.dbt_runner import run_dbt
from graphlets.paths import BUNDLED_STORE, DataDir

REPO = Path(__file__).resolve().parents[1]
SELECT = ("+fct_graphlet_members", "+fct_graphlets")
# Only the data tests whose parents are all selected (a relationships test to a mart
# outside the selection would fail on a fresh warehouse).
INDIRECT = ("--indirect-selection", "cautious")
# dbt_project.yml's default `boundary_input_keys` (spec section 2).
BOUNDARY_KEYS = frozenset({"base_model", "baseline_model", "warmstart_model", "warm_start_model"})
SEED = REPO / "seeds" / "operator_categories.csv"


def peak_rss_mb() -> float:
    """Peak resident set size of this process and its waited-for children, in MiB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024  # Linux reports KiB


# --------------------------------------------------------------------------- child: dbt


def child_dbt(data_dir: Path, out: Path) -> None:
    nodes: list[dict[str, Any]] = []

    def on_node(kind: str, name: str, status: str, seconds: float) -> None:
        nodes.append({"kind": kind, "name": name, "status": status, "seconds": seconds})

    started = time.perf_counter()
    result = run_dbt(DataDir(data_dir), "build", "--select", *SELECT, *INDIRECT, on_node=on_node)
    wall = time.perf_counter() - started
    if not nodes:  # no callback events: fall back to the results' execution times
        nodes = [
            {"kind": n.resource_type, "name": n.name, "status": n.status, "seconds": n.seconds}
            for n in result.nodes
        ]
    failures = [f"{n.name}: {n.status}: {n.message}" for n in result.failures]
    out.write_text(
        json.dumps(
            {
                "success": result.success,
                "wall": wall,
                "peak_mb": peak_rss_mb(),
                "nodes": nodes,
                "failures": failures,
            }
        )
    )


# --------------------------------------------------------------------------- child: python


def load_categories() -> list[tuple[str, str]]:
    with SEED.open() as handle:
        rows = [(r["class_name_pattern"], r["category"]) for r in csv.DictReader(handle)]
    # An exact pattern beats a wildcard; then the longer one.
    return sorted(rows, key=lambda r: ("%" in r[0], -len(r[0])))


def category_of(type_name: str, patterns: list[tuple[str, str]]) -> str:
    class_name = type_name.rsplit(".", 1)[-1]
    for pattern, category in patterns:
        if fnmatch.fnmatchcase(class_name, pattern.replace("%", "*")):
            return category
    return "other"


def python_membership(con: Any) -> tuple[dict[int, dict[int, str]], dict[str, float]]:
    """graphlet id -> {node key: role} (node key: artifact n -> 2n, execution n -> 2n + 1)."""
    import networkx as nx

    timings: dict[str, float] = {}
    started = time.perf_counter()
    executions = con.execute(
        "select x.execution_id, x.state, x.created_at_ms, t.type_name "
        "from staging.stg_mlmd__executions x "
        "join staging.stg_mlmd__types t on x.execution_type_id = t.type_id"
    ).fetchall()
    artifacts = {
        r[0]
        for r in con.execute(
            "select a.artifact_id from staging.stg_mlmd__artifacts a "
            "join staging.stg_mlmd__types t on a.artifact_type_id = t.type_id"
        ).fetchall()
    }
    events = con.execute(
        "select e.artifact_id, e.execution_id, e.event_direction, p.event_keys "
        "from staging.stg_mlmd__events e "
        "left join staging.stg_mlmd__event_paths p using (event_id) "
        "where e.event_direction in ('input', 'output')"
    ).fetchall()
    timings["load"] = time.perf_counter() - started

    started = time.perf_counter()
    patterns = load_categories()
    type_categories: dict[str, str] = {}
    training: dict[int, bool] = {}
    state: dict[int, str] = {}
    started_ms: dict[int, int] = {}
    for execution_id, execution_state, created_ms, type_name in executions:
        if type_name not in type_categories:
            type_categories[type_name] = category_of(type_name, patterns)
        training[execution_id] = type_categories[type_name] == "training"
        state[execution_id] = execution_state
        started_ms[execution_id] = created_ms

    # The producer: earliest (start, id) non-CACHED execution with an output event.
    producer: dict[int, tuple[int, int]] = {}
    outputs_of: dict[int, list[int]] = defaultdict(list)
    inputs: list[tuple[int, int, list[str]]] = []
    for artifact_id, execution_id, direction, keys in events:
        if artifact_id not in artifacts or execution_id not in state:
            continue
        if direction == "output":
            outputs_of[execution_id].append(artifact_id)
            if state[execution_id] != "CACHED":
                rank = (started_ms[execution_id], execution_id)
                if artifact_id not in producer or rank < producer[artifact_id]:
                    producer[artifact_id] = rank
        else:
            inputs.append((artifact_id, execution_id, keys or []))
    producer_of = {a: rank[1] for a, rank in producer.items()}
    trainer_output = {a for a, p in producer_of.items() if training[p]}

    def art(i: int) -> int:
        return 2 * i

    def exe(i: int) -> int:
        return 2 * i + 1

    up, down = nx.DiGraph(), nx.DiGraph()
    for artifact_id, execution_id, keys in inputs:
        if keys and all(k in BOUNDARY_KEYS for k in keys):
            continue  # a warm start or baseline: never walked
        if artifact_id not in trainer_output:
            up.add_edge(exe(execution_id), art(artifact_id))
        if not training[execution_id]:
            down.add_edge(art(artifact_id), exe(execution_id))
    for artifact_id, execution_id in producer_of.items():
        if artifact_id not in trainer_output:
            up.add_edge(art(artifact_id), exe(execution_id))
    for execution_id, produced in outputs_of.items():
        for artifact_id in produced:
            if artifact_id not in trainer_output:
                down.add_edge(exe(execution_id), art(artifact_id))
    timings["graph"] = time.perf_counter() - started

    started = time.perf_counter()
    membership: dict[int, dict[int, str]] = {}
    for trainer in state:
        if not training[trainer] or state[trainer] == "CACHED":
            continue
        root = exe(trainer)
        upstream = nx.descendants(up, root) if root in up else set()
        # Downstream starts at the trainer's outputs (its own model included, never
        # another trainer's) and walks forward within the boundary.
        seeds = {
            art(a)
            for a in outputs_of.get(trainer, [])
            if a not in trainer_output or producer_of[a] == trainer
        }
        downstream = set(seeds)
        for seed in seeds:
            if seed in down:
                downstream |= nx.descendants(down, seed)
        roles = {node: "downstream" for node in downstream}
        roles.update({node: "upstream" for node in upstream})
        roles[root] = "trainer"
        membership[trainer] = roles
    timings["traverse"] = time.perf_counter() - started
    return membership, timings


def child_python(data_dir: Path, out: Path) -> None:
    import duckdb

    warehouse = data_dir / "warehouse.duckdb"
    started = time.perf_counter()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        membership, timings = python_membership(con)
        wall = time.perf_counter() - started
        peak = peak_rss_mb()  # before the comparison below loads the SQL answer
        sql = con.execute(
            "select graphlet_id, mlmd_id * 2 + (node_kind = 'execution')::int, member_role "
            "from marts.fct_graphlet_members "
            "where member_role in ('trainer', 'upstream', 'downstream')"
        ).fetchall()
    sql_roles: dict[tuple[int, int], str] = {(g, n): role for g, n, role in sql}
    py_roles = {(g, n): role for g, roles in membership.items() for n, role in roles.items()}
    only_sql = sql_roles.keys() - py_roles.keys()
    only_py = py_roles.keys() - sql_roles.keys()
    role_differs = [k for k in sql_roles.keys() & py_roles.keys() if sql_roles[k] != py_roles[k]]
    sql_graphlets = {g for g, _ in sql_roles}

    def show(keys: Any) -> list[str]:
        return [
            f"graphlet {g}: {'execution' if n % 2 else 'artifact'}:{n // 2}"
            for g, n in sorted(keys)[:5]
        ]

    out.write_text(
        json.dumps(
            {
                "wall": wall,
                "peak_mb": peak,
                "timings": timings,
                "graphlets": len(membership),
                "sql_graphlets": len(sql_graphlets),
                "members": len(py_roles),
                "sql_members": len(sql_roles),
                "only_sql": len(only_sql),
                "only_python": len(only_py),
                "role_differs": len(role_differs),
                "examples": show(only_sql) + show(only_py) + show(role_differs),
            }
        )
    )


# --------------------------------------------------------------------------- parent


def run_child(mode: str, data_dir: Path, timeout: float | None) -> tuple[dict[str, Any], float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--child", mode, str(data_dir), "--out", str(out)],
            check=True,
            timeout=timeout,
        )
        return json.loads(out.read_text()), time.perf_counter() - started


def prepare(args: argparse.Namespace, workdir: Path) -> Path:
    if args.data_dir:
        data_dir = Path(args.data_dir).resolve()
        if not (data_dir / "raw").is_dir():
            sys.exit(f"{data_dir}: no raw/ layer (run `graphlets ingest` or `simulate` first)")
        return data_dir
    data_dir = workdir / ("fixture" if args.fixture else args.preset)
    graphlets = [sys.executable, "-m", "graphlets.cli"]
    started = time.perf_counter()
    if args.fixture:
        store = BUNDLED_STORE
        command = [*graphlets, "ingest", "mlmd", str(store), "--data-dir", str(data_dir)]
    else:
        if not (REPO / "python" / "graphlets" / "simulate").is_dir():
            sys.exit("no simulator in python/graphlets/simulate: pass a data dir")
        command = [*graphlets, "simulate", "--preset", args.preset, "--data-dir", str(data_dir)]
    subprocess.run(command, check=True, cwd=REPO)
    print(f"prepared {data_dir} in {time.perf_counter() - started:.1f} s")
    return data_dir


def raw_rows(data_dir: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.read_metadata(p).num_rows for p in (data_dir / "raw").glob("*.parquet"))


def report_dbt(result: dict[str, Any], wall: float, top: int) -> None:
    models = sorted(
        (n for n in result["nodes"] if n["kind"] in ("model", "seed", "NodeType.Model")),
        key=lambda n: -n["seconds"],
    )
    tests = [n for n in result["nodes"] if n not in models]
    print(f"\n== dbt build --select {' '.join(SELECT)} {' '.join(INDIRECT)}")
    print(f"{'model':<48} {'seconds':>9}")
    for node in models[:top]:
        print(f"{node['name']:<48} {node['seconds']:>9.2f}")
    if len(models) > top:
        rest = sum(n["seconds"] for n in models[top:])
        print(f"{f'... {len(models) - top} more models':<48} {rest:>9.2f}")
    print(f"{f'{len(tests)} data tests':<48} {sum(n['seconds'] for n in tests):>9.2f}")
    print(f"{'all nodes (sum)':<48} {sum(n['seconds'] for n in result['nodes']):>9.2f}")
    print(
        f"success: {result['success']}; in dbt: {result['wall']:.1f} s; "
        f"process wall (with dbt start-up): {wall:.1f} s; peak RSS {result['peak_mb']:.0f} MiB"
    )
    for failure in result["failures"]:
        print(f"  FAILED {failure}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data_dir", nargs="?", help="a data dir with raw/ (default: simulate)")
    parser.add_argument("--preset", default="small", help="simulator preset (tiny, small, paper)")
    parser.add_argument("--fixture", action="store_true", help="use the bundled TFX store")
    parser.add_argument("--top", type=int, default=60, help="models to list (slowest first)")
    parser.add_argument("--timeout", type=float, default=None, help="seconds per step")
    parser.add_argument(
        "--whole", action="store_true", help="then build the whole warehouse, timed"
    )
    parser.add_argument("--child", choices=("dbt", "python"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        target = child_dbt if args.child == "dbt" else child_python
        target(Path(args.data_dir), Path(args.out))
        return

    with tempfile.TemporaryDirectory(prefix="bench_graphlets_") as tmp:
        data_dir = prepare(args, Path(tmp))
        print(f"data: {data_dir} ({raw_rows(data_dir):,} raw rows)")
        dbt_result, dbt_wall = run_child("dbt", data_dir, args.timeout)
        report_dbt(dbt_result, dbt_wall, args.top)
        if not dbt_result["success"]:
            sys.exit("dbt build failed: no comparison")
        py, py_wall = run_child("python", data_dir, args.timeout)
        timings = ", ".join(f"{k} {v:.1f} s" for k, v in py["timings"].items())
        print("\n== Python (networkx) membership from the staged tables")
        print(
            f"wall {py['wall']:.1f} s ({timings}); process wall {py_wall:.1f} s; "
            f"peak RSS {py['peak_mb']:.0f} MiB"
        )
        print(
            f"graphlets: python {py['graphlets']:,}, sql {py['sql_graphlets']:,}; "
            f"members (trainer+upstream+downstream): python {py['members']:,}, "
            f"sql {py['sql_members']:,}"
        )
        ratio_time = dbt_result["wall"] / py["wall"] if py["wall"] else float("inf")
        ratio_rss = dbt_result["peak_mb"] / py["peak_mb"] if py["peak_mb"] else float("inf")
        print(f"\nratio dbt/python: time {ratio_time:.2f}x, peak RSS {ratio_rss:.2f}x")
        mismatches = py["only_sql"] + py["only_python"]
        print(
            f"mismatches: {mismatches} (only in SQL {py['only_sql']}, only in Python "
            f"{py['only_python']}); role differs: {py['role_differs']}"
        )
        for example in py["examples"]:
            print(f"  {example}")
        if mismatches or py["role_differs"]:
            sys.exit(1)
        if args.whole:
            whole = run_step("build", "--data-dir", str(data_dir))
            print(
                f"\n== The whole warehouse (`graphlets build`: every model and test)\n"
                f"wall {whole.seconds:.1f} s, CPU {whole.cpu_seconds:.0f} s, "
                f"peak RSS {whole.peak_gib:.2f} GiB"
            )


if __name__ == "__main__":
    main()
