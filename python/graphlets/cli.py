"""The `graphlets` command: load stores, simulate fleets, build the warehouse, report."""

from __future__ import annotations

import time
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
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code=1)


def _report_ingest(summary: ingest_lib.IngestSummary, seconds: float) -> None:
    rate = summary.rows_total / seconds if seconds > 0 else float("inf")
    console.print(
        f"loaded {summary.rows_total:,} rows from {summary.source} "
        f"(schema version {summary.schema_version}) in {seconds:.1f} s ({rate:,.0f} rows/s)"
    )
    for table, columns in summary.filled_columns.items():
        console.print(f"  {table}: column(s) {', '.join(columns)} absent in this store, left empty")


def _ingest(kind: str, source: Path, data_dir: Path | None) -> None:
    data = DataDir.resolve(data_dir)
    loader = ingest_lib.ingest_sqlite if kind == "mlmd" else ingest_lib.ingest_files
    started = time.perf_counter()
    with console.status(f"loading {source}") as status:
        try:
            summary = loader(
                source,
                data.raw,
                progress=lambda table, rows: status.update(f"loaded {table} ({rows:,} rows)"),
            )
        except ingest_lib.IngestError as error:
            _fail(str(error))
    _report_ingest(summary, time.perf_counter() - started)


@ingest_app.command("mlmd")
def ingest_mlmd(
    store: Annotated[Path, typer.Argument(help="An MLMD SQLite store (schema version 6-10).")],
    data_dir: DataDirOption = None,
) -> None:
    """Copy a real MLMD SQLite store into the raw layer."""
    _ingest("mlmd", store, data_dir)


@ingest_app.command("files")
def ingest_files(
    folder: Annotated[Path, typer.Argument(help="Parquet or CSV exports named after MLMD tables.")],
    data_dir: DataDirOption = None,
) -> None:
    """Load a folder of exported MLMD tables (e.g. dumped from MySQL or PostgreSQL)."""
    _ingest("files", folder, data_dir)


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


def build_warehouse(
    data: DataDir, variables: dict[str, object] | None = None, target: str | None = None
) -> None:
    """Run `dbt build` with progress per model; raise BuildError when dbt fails."""
    from graphlets import spark
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
    if target == spark.TARGET:
        spark.prepare(data)
    result = run_dbt(data, "build", variables=variables, on_node=on_node, target=target)
    if not result.success:
        raise BuildError(describe_failures(result))
    if target == spark.TARGET:
        spark.expose_marts(data, spark.mart_locations())
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
    target: Annotated[
        str | None,
        typer.Option(help="profiles.yml target: duckdb (default) or spark (docs/spark.md)."),
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Build the warehouse (dbt build: models, seeds and tests) from the raw layer."""
    from graphlets.spark import SparkUnavailableError

    variables = _parse_vars(var or [])
    if as_of:
        variables["as_of"] = as_of
    try:
        build_warehouse(DataDir.resolve(data_dir), variables or None, target)
    except BuildError as error:
        _fail(f"the build failed:\n{error}")
    except SparkUnavailableError as error:
        _fail(str(error))


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
        _ingest("mlmd", BUNDLED_STORE, data.root)
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
