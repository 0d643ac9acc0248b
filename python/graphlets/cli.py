"""The `graphlets` command: load stores, simulate fleets, build the warehouse, report."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from graphlets import ingest as ingest_lib
from graphlets.dbt_runner import BuildError, describe_failures, run_dbt
from graphlets.paths import BUNDLED_STORE, DataDir

console = Console()
app = typer.Typer(
    help="graphlets: model graphlets and waste from ML Metadata (MLMD) stores.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
ingest_app = typer.Typer(help="Load an MLMD store into the raw layer.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Folder for everything a run makes (default $GRAPHLETS_DATA_DIR or ./data).",
    ),
]


def _fail(message: str) -> None:
    console.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    raise typer.Exit(code=1)


def _report_ingest(summary: ingest_lib.IngestSummary, seconds: float) -> None:
    rate = summary.rows_total / seconds if seconds > 0 else float("inf")
    console.print(
        f"loaded {summary.rows_total:,} rows from {summary.source} "
        f"(schema version {summary.schema_version}) in {seconds:.1f} s ({rate:,.0f} rows/s)"
    )
    for table, columns in summary.filled_columns.items():
        console.print(f"  {table}: column(s) {', '.join(columns)} absent in this store, left empty")


def _ingest(load: Callable[[ingest_lib.Progress], ingest_lib.IngestSummary]) -> None:
    started = time.perf_counter()
    with console.status("loading") as status:
        try:
            summary = load(lambda table, rows: status.update(f"loaded {table} ({rows:,} rows)"))
        except ingest_lib.IngestError as error:
            _fail(str(error))
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
    raw = DataDir.resolve(data_dir).raw
    _ingest(lambda progress: ingest_lib.ingest_mlmd(store, raw, progress, connect_timeout))


@ingest_app.command("files")
def ingest_files(
    folder: Annotated[Path, typer.Argument(help="Parquet or CSV exports named after MLMD tables.")],
    data_dir: DataDirOption = None,
) -> None:
    """Load a folder of exported MLMD tables (e.g. dumped from MySQL or PostgreSQL)."""
    raw = DataDir.resolve(data_dir).raw
    _ingest(lambda progress: ingest_lib.ingest_files(folder, raw, progress))


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
    data_dir: DataDirOption = None,
) -> None:
    """Simulate a fleet of TFX pipelines and write what their MLMD store would hold."""
    from graphlets.simulate import simulate as run_simulation

    data = DataDir.resolve(data_dir)
    if fmt not in ("parquet", "sqlite"):
        _fail(f"--format must be parquet or sqlite, not {fmt!r}")
    target = data.raw if fmt == "parquet" else (out or data.root / "simulated_mlmd.sqlite")
    with console.status(f"simulating the {preset} fleet") as status:
        try:
            summary = run_simulation(
                target,
                preset=preset,
                pipelines=pipelines,
                days=days,
                seed=seed,
                fmt=fmt,
                progress=lambda message: status.update(message),
            )
        except ValueError as error:
            _fail(str(error))
    rate = summary.rows_total / summary.seconds if summary.seconds else 0.0
    console.print(
        f"simulated {summary.pipelines:,} pipelines, {summary.trainer_runs:,} trainer runs, "
        f"{summary.rows_total:,} rows in {summary.seconds:.1f} s ({rate:,.0f} rows/s) -> {target}"
    )


def build_warehouse(data: DataDir, variables: dict[str, object] | None = None) -> None:
    """Run `dbt build` with progress per model; raise BuildError when dbt fails."""
    from graphlets.summary import print_quarantine_line

    if not data.raw.is_dir():
        raise BuildError(
            f"no raw layer in {data.raw}: run `graphlets ingest` or `graphlets simulate` first"
        )
    counts = {"model": 0, "seed": 0, "test": 0, "unit_test": 0}

    def on_node(resource_type: str, name: str, status: str, seconds: float) -> None:
        counts[resource_type] = counts.get(resource_type, 0) + 1
        passed = status in ("success", "pass")
        if resource_type in ("test", "unit_test") and passed:
            return  # tests are summarised; only failures get a line of their own
        style = "green" if passed else "red"
        console.print(
            f"  [{style}]{status:>7}[/] {resource_type:<6} {name} [dim]{seconds:.1f}s[/]"
        )

    started = time.perf_counter()
    result = run_dbt(data, "build", variables=variables, on_node=on_node)
    if not result.success:
        raise BuildError(describe_failures(result))
    console.print(
        f"built {counts['model']} models and {counts['seed']} seeds; {counts['test']} data "
        f"tests and {counts['unit_test']} unit tests passed, in "
        f"{time.perf_counter() - started:.0f} s -> {data.warehouse}"
    )
    print_quarantine_line(console, data)


def _parse_vars(pairs: list[str]) -> dict[str, object]:
    variables: dict[str, object] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            _fail(f"--var takes NAME=VALUE, not {pair!r}")
        variables[name] = value
    return variables


@app.command()
def build(
    as_of: Annotated[
        str | None, typer.Option(help="Build the marts as the store stood at this instant.")
    ] = None,
    var: Annotated[list[str] | None, typer.Option(help="A dbt var as NAME=VALUE.")] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Build the warehouse (dbt build: models, seeds and tests) from the raw layer."""
    variables = _parse_vars(var or [])
    if as_of:
        variables["as_of"] = as_of
    try:
        build_warehouse(DataDir.resolve(data_dir), variables or None)
    except BuildError as error:
        _fail(f"the build failed:\n{error}")


@app.command()
def report(
    out: Annotated[
        Path | None,
        typer.Option(help="The HTML file to write (default: report.html in the data dir)."),
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Write the fleet report: one self-contained HTML file drawn from the marts."""
    from graphlets.report import MissingMartError, write_report

    data = DataDir.resolve(data_dir)
    if not data.warehouse.is_file():
        _fail(f"no warehouse at {data.warehouse}: run `graphlets build` first")
    try:
        console.print(f"report -> {write_report(data, out)}")
    except MissingMartError as error:
        _fail(str(error))


@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", help="parquet.")] = "parquet",
    data_dir: DataDirOption = None,
) -> None:
    """Write every mart to <data dir>/export/<mart>.parquet for BI tools."""
    from graphlets.export import export_marts

    data = DataDir.resolve(data_dir)
    try:
        files = export_marts(data, fmt)
    except (ValueError, FileNotFoundError) as error:
        _fail(str(error))
    console.print(f"exported {len(files)} marts -> {data.export}")


@app.command()
def demo(
    preset: Annotated[str, typer.Option(help="Fleet to simulate, or 'bundled'.")] = "small",
    data_dir: DataDirOption = None,
) -> None:
    """Simulate a fleet (or load the bundled store), build, summarise and write the report."""
    from graphlets.report import write_report
    from graphlets.summary import print_summary

    data = DataDir.resolve(data_dir)
    if preset == "bundled":
        _ingest(lambda progress: ingest_lib.ingest_mlmd(BUNDLED_STORE, data.raw, progress))
    else:
        simulate(preset=preset, data_dir=data.root)
    try:
        build_warehouse(data)
    except BuildError as error:
        _fail(f"the build failed:\n{error}")
    print_summary(console, data)
    console.print(f"report -> {write_report(data)}")


if __name__ == "__main__":
    app()
