"""The `graphlets` command: load stores, simulate fleets, build the warehouse, report."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from graphlets import __version__, dbt_vars, rawlayer
from graphlets import ingest as ingest_lib
from graphlets.dbt_runner import BuildError, describe_failures
from graphlets.errors import GraphletsError
from graphlets.interrupts import noticing_interrupts
from graphlets.lock import data_dir_lock
from graphlets.paths import BUNDLED_STORE, DataDir
from graphlets.warehouse import remove_leftovers

# Development only: build just these dbt nodes (the warehouse is then marked partial,
# and `report`/`export` refuse it). The fault tests use it for a fast build.
BUILD_SELECT_ENV = "GRAPHLETS_BUILD_SELECT"

console = Console(highlight=False, soft_wrap=True)
app = typer.Typer(
    help="graphlets: model graphlets and waste from ML Metadata (MLMD) stores.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
ingest_app = typer.Typer(help="Load an MLMD store into the raw layer.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")


def _print_version(value: bool) -> None:
    if value:
        console.print(f"graphlets {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """graphlets: model graphlets and waste from ML Metadata (MLMD) stores."""


DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder for everything a run makes (default $GRAPHLETS_DATA_DIR or ./data).",
    ),
]

TargetOption = Annotated[
    str | None,
    typer.Option(help="profiles.yml target: duckdb (default) or spark (docs/spark.md)."),
]


# Set once a failure has been said, so the console script does not add a line of its own.
failure_reported = False


def _fail(message: str, code: int = 1) -> NoReturn:
    global failure_reported
    failure_reported = True
    for line in message.splitlines():
        console.print(f"[bold red]error:[/] {line}", soft_wrap=True)
    raise typer.Exit(code=code)


def _warn(message: str) -> None:
    console.print(f"[bold yellow]warning:[/] {message}", soft_wrap=True)


@contextmanager
def _writing(data: DataDir, command: str, unchanged: str) -> Iterator[None]:
    """Run a command that writes to the data dir: hold the dir's lock, finish what a
    killed writer left, and turn every fault into one line (`unchanged` says what the
    user still has)."""
    # A Ctrl-C that lands inside a DuckDB query comes out as DuckDB's own error
    # ("Query interrupted"): an interrupt all the same.
    with noticing_interrupts() as interrupts:
        try:
            with data_dir_lock(data.root, f"graphlets {command}"):
                rawlayer.recover(data.raw)
                remove_leftovers(data)
                yield
        except KeyboardInterrupt:
            _fail(f"{command} interrupted; {unchanged}", code=130)
        except Exception as error:
            if interrupts.received:
                _fail(f"{command} interrupted; {unchanged}", code=130)
            if isinstance(error, GraphletsError):
                _fail(str(error))
            if isinstance(error, OSError):
                where = f"{error.filename}: " if error.filename else ""
                _fail(f"{command} failed: {where}{error.strerror or error}; {unchanged}")
            raise


# Loads a store into the given raw layer, reporting progress: one of ingest's loaders.
Loader = Callable[[Path, ingest_lib.Progress], ingest_lib.IngestSummary]


def _report_ingest(summary: ingest_lib.IngestSummary, seconds: float) -> None:
    rate = summary.rows_total / seconds if seconds > 0 else float("inf")
    console.print(
        f"loaded {summary.rows_total:,} rows from {summary.source} "
        f"(schema version {summary.schema_version}) in {seconds:.1f} s ({rate:,.0f} rows/s)"
    )
    for table, columns in summary.filled_columns.items():
        console.print(f"  {table}: column(s) {', '.join(columns)} absent in this store, left empty")


def _ingest(data_dir: Path | None, load: Loader) -> None:
    data = DataDir.resolve(data_dir)
    started = time.perf_counter()
    with (
        _writing(data, "ingest", "the previous raw layer is unchanged"),
        console.status("loading") as status,
    ):
        summary = load(
            data.raw, lambda table, rows: status.update(f"loaded {table} ({rows:,} rows)")
        )
    _report_ingest(summary, time.perf_counter() - started)


@ingest_app.command("mlmd")
def ingest_mlmd(
    store: Annotated[
        str,
        typer.Argument(
            help="mysql://user@host:3306/db, postgresql://user@host:5432/db, or an SQLite "
            "path (sqlite:///path too). The password: in the URL, in "
            "$GRAPHLETS_MLMD_PASSWORD, or in ~/.my.cnf / ~/.pgpass.",
            metavar="URL",
        ),
    ],
    connect_timeout: Annotated[
        float, typer.Option(min=0.1, help="Seconds to wait for a database server to answer.")
    ] = ingest_lib.DEFAULT_CONNECT_TIMEOUT,
    data_dir: DataDirOption = None,
) -> None:
    """Copy an MLMD store (schema version 6-10) into the raw layer, as one snapshot.

    \b
      graphlets ingest mlmd mysql://reader@127.0.0.1:3306/metadb
      graphlets ingest mlmd postgresql://reader@db.example.com:5432/mlmd
      graphlets ingest mlmd path/to/mlmd.sqlite
    """
    _ingest(
        data_dir,
        lambda raw, progress: ingest_lib.ingest_mlmd(store, raw, progress, connect_timeout),
    )


@ingest_app.command("files")
def ingest_files(
    folder: Annotated[Path, typer.Argument(help="Parquet or CSV exports named after MLMD tables.")],
    data_dir: DataDirOption = None,
) -> None:
    """Load a folder of exported MLMD tables (e.g. dumped from MySQL or PostgreSQL)."""
    _ingest(data_dir, lambda raw, progress: ingest_lib.ingest_files(folder, raw, progress))


@app.command()
def simulate(
    preset: Annotated[str, typer.Option(help="tiny, small or paper.")] = "small",
    pipelines: Annotated[int | None, typer.Option(help="Override the preset's fleet size.")] = None,
    days: Annotated[int | None, typer.Option(help="Override the preset's window.")] = None,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same bytes.")] = 0,
    fmt: Annotated[
        str, typer.Option("--format", help="parquet (raw layer) or sqlite.")
    ] = "parquet",
    out: Annotated[
        Path | None, typer.Option(help="With --format sqlite: the store to write.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a raw layer loaded from a real store.")
    ] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Simulate a fleet of TFX pipelines and write what their MLMD store would hold."""
    from graphlets.simulate import simulate as run_simulation

    data = DataDir.resolve(data_dir)
    if fmt not in ("parquet", "sqlite"):
        _fail(f"--format must be parquet or sqlite, not {fmt!r}")
    if fmt == "sqlite":
        target = out or data.root / "simulated_mlmd.sqlite"
        summary = _simulate_into(run_simulation, target, preset, pipelines, days, seed, fmt)
    else:
        with _writing(data, "simulate", "the previous raw layer is unchanged"):
            _refuse_replacing_a_real_store(data, force)
            with rawlayer.new_version(data.raw) as target:
                summary = _simulate_into(run_simulation, target, preset, pipelines, days, seed, fmt)
                source = (
                    f"preset {summary.preset}, {summary.pipelines} pipelines, "
                    f"{summary.days} days, seed {seed}"
                )
                rawlayer.swap_in(target, data.raw, source_kind="simulate", source=source)
            target = data.raw
    rate = summary.rows_total / summary.seconds if summary.seconds else 0.0
    console.print(
        f"simulated {summary.pipelines:,} pipelines, {summary.trainer_runs:,} trainer runs, "
        f"{summary.rows_total:,} rows in {summary.seconds:.1f} s ({rate:,.0f} rows/s) -> {target}"
    )


def _refuse_replacing_a_real_store(data: DataDir, force: bool) -> None:
    if force or not (data.raw.exists()):
        return
    manifest = rawlayer.read_manifest(data.raw)
    if manifest is None:
        _fail(
            f"{data.raw} holds a raw layer of unrecorded origin; pass --force to replace "
            "it with a simulated fleet"
        )
    if manifest.is_real_store:
        _fail(
            f"{data.raw} holds a real store ({manifest.source_kind} {manifest.source}, "
            f"loaded {manifest.written_at}); pass --force to replace it with a simulated fleet"
        )


def _simulate_into(
    run_simulation: Any,
    target: Path,
    preset: str,
    pipelines: int | None,
    days: int | None,
    seed: int,
    fmt: str,
) -> Any:
    with console.status(f"simulating the {preset} fleet") as status:
        try:
            return run_simulation(
                target,
                preset=preset,
                pipelines=pipelines,
                days=days,
                seed=seed,
                fmt=fmt,
                progress=lambda message: status.update(message),
            )
        except GraphletsError as error:
            _fail(str(error))


def _check_as_of(data: DataDir, as_of: str) -> None:
    manifest = rawlayer.read_manifest(data.raw)
    if manifest is None or manifest.last_activity_ms is None:
        return
    last = datetime.fromtimestamp(manifest.last_activity_ms / 1000, UTC).replace(tzinfo=None)
    if datetime.fromisoformat(as_of) > last:
        _warn(
            f"--as-of {as_of} lies after the store's last activity "
            f"({last.isoformat(sep=' ', timespec='milliseconds')}); the marts show the whole "
            "store, and running work is costed up to its last activity"
        )


def build_warehouse(
    data: DataDir, variables: dict[str, Any] | None = None, target: str | None = None
) -> None:
    """Build a new warehouse from the raw layer on the profile's `target` (default
    DuckDB) with progress per model and swap it in; raise BuildError (previous warehouse
    untouched) when a model or an error-severity test fails. Run under the data dir's
    lock."""
    from graphlets import warehouse
    from graphlets.summary import print_quarantine_line

    if variables and variables.get("as_of"):
        _check_as_of(data, variables["as_of"])
    counts: dict[str, int] = {}

    def on_node(resource_type: str, name: str, status: str, seconds: float) -> None:
        counts[f"{resource_type} {status}"] = counts.get(f"{resource_type} {status}", 0) + 1
        if resource_type in ("model", "seed") and status == "success":
            console.print(
                f"  [green]{status:>7}[/] {resource_type:<6} {name} [dim]{seconds:.1f}s[/]"
            )

    started = time.perf_counter()
    outcome = warehouse.build(
        data,
        variables,
        select=os.environ.get(BUILD_SELECT_ENV) or None,
        on_node=on_node,
        target=target,
    )
    tests = counts.get("test pass", 0) + counts.get("test warn", 0)
    console.print(
        f"built {counts.get('model success', 0)} models and {counts.get('seed success', 0)} "
        f"seeds; {tests} data tests passed, in {time.perf_counter() - started:.0f} s "
        f"-> {data.warehouse}"
    )
    if outcome.truncated:
        _warn(
            f"{outcome.truncated} graphlet(s) reached max_depth "
            f"{warehouse.max_depth(variables)} and are cut short (fct_graphlets.is_truncated); "
            f"trainer execution ids {', '.join(map(str, outcome.truncated_trainer_ids))}"
            f"{' …' if outcome.truncated > len(outcome.truncated_trainer_ids) else ''}: "
            "raise --var max_depth or find the cycle in the store"
        )
    for line in outcome.warnings:
        _warn(line)
    if outcome.is_complete:
        print_quarantine_line(console, data)


def _checked_vars(pairs: list[str], as_of: str | None) -> dict[str, Any]:
    try:
        variables = dbt_vars.parse(pairs)
        if as_of is not None:
            variables["as_of"] = dbt_vars.parse_timestamp("--as-of", as_of)
    except dbt_vars.VarError as error:
        _fail(str(error))
    return variables


def _build_command(data: DataDir, variables: dict[str, Any], target: str | None = None) -> None:
    from graphlets.spark import SparkUnavailableError

    with _writing(data, "build", f"the previous warehouse {data.warehouse} is unchanged"):
        if not data.raw.is_dir():
            _fail(f"no raw layer in {data.raw}: run `graphlets ingest` or `graphlets simulate`")
        try:
            build_warehouse(data, variables or None, target)
        except BuildError as error:
            _fail(
                "the build failed; the previous warehouse is unchanged "
                f"(log: {data.root / 'logs' / 'dbt.log'}):\n{error}"
            )
        except SparkUnavailableError as error:
            _fail(str(error))


@app.command()
def build(
    as_of: Annotated[
        str | None,
        typer.Option(help="Build the marts as the store stood at this ISO 8601 instant."),
    ] = None,
    var: Annotated[
        list[str] | None, typer.Option(help="A dbt var as NAME=VALUE (VALUE read as YAML).")
    ] = None,
    target: TargetOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Build the warehouse (dbt build: models, seeds and data tests) from the raw layer."""
    variables = _checked_vars(var or [], as_of)
    _build_command(DataDir.resolve(data_dir), variables, target)


@app.command("test")
def unit_tests(
    target: TargetOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Run the SQL's dbt unit tests (hand-made input rows, expected output) against the
    built warehouse; `build` leaves them out."""
    from graphlets.spark import SparkUnavailableError
    from graphlets.warehouse import run_unit_tests

    data = DataDir.resolve(data_dir)
    _require_warehouse(data)
    with _writing(data, "test", f"the warehouse {data.warehouse} is unchanged"):
        # A BuildError is a GraphletsError, which _writing already turns into one line.
        try:
            result = run_unit_tests(data, target)
        except SparkUnavailableError as error:
            _fail(str(error))
    if not result.success:
        _fail(
            f"unit tests failed (log: {data.root / 'logs' / 'dbt.log'}):\n"
            f"{describe_failures(result)}"
        )
    console.print(f"{len(result.nodes)} unit tests passed")


def _require_warehouse(data: DataDir) -> None:
    if not data.warehouse.is_file():
        _fail(f"no warehouse at {data.warehouse}: run `graphlets build` first")


def _refuse_stale(data: DataDir) -> None:
    from graphlets.build_status import staleness

    _require_warehouse(data)
    problem = staleness(data)
    if problem:
        _fail(problem)


@app.command()
def report(
    out: Annotated[
        Path | None,
        typer.Option(help="The HTML file to write (default: report.html in the data dir)."),
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Write the fleet report: one self-contained HTML file drawn from the marts."""
    from graphlets.report import write_report

    data = DataDir.resolve(data_dir)
    _refuse_stale(data)
    try:
        console.print(f"report -> {write_report(data, out)}")
    except GraphletsError as error:
        _fail(str(error))
    except OSError as error:
        _fail(f"cannot write the report: {error.filename}: {error.strerror}")


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="parquet.")] = "parquet",
    data_dir: DataDirOption = None,
) -> None:
    """Write every mart to <data dir>/export/<mart>.parquet for BI tools."""
    from graphlets.export import export_marts

    data = DataDir.resolve(data_dir)
    _refuse_stale(data)
    try:
        files = export_marts(data, fmt)
    except GraphletsError as error:
        _fail(str(error))
    except OSError as error:
        _fail(f"cannot write the export: {error.filename}: {error.strerror}")
    console.print(f"exported {len(files)} marts -> {data.export}")


def _when(iso: str | None) -> str:
    return iso.replace("T", " ").replace("+00:00", " UTC") if iso else "-"


@app.command()
def status(data_dir: DataDirOption = None) -> None:
    """Show the raw layer (source, rows per table, when), the warehouse's build and the
    last build attempt."""
    from graphlets.build_status import read_from_warehouse, read_last_attempt, staleness

    data = DataDir.resolve(data_dir)
    manifest = rawlayer.read_manifest(data.raw)
    if manifest is not None:
        console.print(
            f"raw layer {manifest.raw_layer_id}: {manifest.source_kind} {manifest.source} "
            f"(schema version {manifest.schema_version}), written {_when(manifest.written_at)}"
        )
        for table, rows in manifest.rows_by_table.items():
            console.print(f"  {table:<18} {rows:>12,} rows")
    elif data.raw.is_dir():
        console.print(f"raw layer {data.raw}: origin not recorded (written before manifests)")
    else:
        console.print(f"raw layer: none in {data.raw}")
    built = read_from_warehouse(data.warehouse) if data.warehouse.is_file() else None
    if built is not None:
        console.print(
            f"warehouse {data.warehouse}: built {_when(built.finished_at)} on {built.target} "
            f"from raw layer "
            f"{built.raw_layer_id}, as_of {built.as_of or '-'}, vars {built.vars or '{}'}, "
            f"graphlets {built.graphlets_version}, dbt {built.dbt_version}, "
            f"duckdb {built.duckdb_version}"
        )
        console.print(f"  marts: {staleness(data) or 'current (built from this raw layer)'}")
    elif data.warehouse.is_file():
        console.print(f"warehouse {data.warehouse}: build not recorded")
    else:
        console.print(f"warehouse: none at {data.warehouse}")
    attempt = read_last_attempt(data)
    if attempt is not None:
        console.print(
            f"last build: {attempt.outcome}, started {_when(attempt.started_at)}, finished "
            f"{_when(attempt.finished_at)}"
            + (f": {attempt.message.splitlines()[0]}" if attempt.message else "")
        )


@app.command()
def demo(
    preset: Annotated[str, typer.Option(help="Fleet to simulate, or 'bundled'.")] = "small",
    force: Annotated[
        bool, typer.Option("--force", help="Replace a raw layer loaded from a real store.")
    ] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Simulate a fleet (or load the bundled store), build, summarise and write the report."""
    from graphlets.report import write_report
    from graphlets.summary import print_summary

    data = DataDir.resolve(data_dir)
    if preset == "bundled":
        _ingest(
            data.root, lambda raw, progress: ingest_lib.ingest_mlmd(BUNDLED_STORE, raw, progress)
        )
    else:
        simulate(preset=preset, force=force, data_dir=data.root)
    _build_command(data, {})
    print_summary(console, data)
    console.print(f"report -> {write_report(data)}")


if __name__ == "__main__":
    app()
