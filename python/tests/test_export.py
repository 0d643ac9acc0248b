"""`graphlets export --format parquet` writes every mart, readable as it is in DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import exposure_marts
from typer.testing import CliRunner

from graphlets.cli import app
from graphlets.export import ExportError, export_marts
from graphlets.paths import DataDir


def test_export_writes_every_mart(fixture_data: DataDir, tmp_path: Path) -> None:
    files = export_marts(fixture_data, "parquet", tmp_path / "export")
    with duckdb.connect(str(fixture_data.warehouse), read_only=True) as con:
        marts = {
            name: con.execute(f"select count(*) from marts.{name}").fetchone()[0]  # type: ignore[index]
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        assert {"dim_pipelines", "rpt_fleet_summary", "rpt_graphlet_profile"} <= set(marts)
        assert {f.name for f in files} == {f"{name}.parquet" for name in marts}
        for name, count in marts.items():
            path = str(tmp_path / "export" / f"{name}.parquet")
            assert con.execute(f"select count(*) from '{path}'").fetchone()[0] == count, name  # type: ignore[index]
        # Same rows, not just the same count.
        diff = con.execute(
            "select count(*) from (select * from marts.dim_pipelines except "
            f"select * from '{tmp_path / 'export' / 'dim_pipelines.parquet'}')"
        ).fetchone()[0]  # type: ignore[index]
        assert diff == 0


def test_export_command_default_dir(fixture_data: DataDir) -> None:
    result = CliRunner().invoke(
        app, ["export", "--format", "parquet", "--data-dir", str(fixture_data.root)]
    )
    assert result.exit_code == 0, result.output
    assert (fixture_data.export / "rpt_fleet_summary.parquet").is_file()


def test_export_rejects_unknown_format(fixture_data: DataDir) -> None:
    with pytest.raises(ExportError, match="unsupported"):
        export_marts(fixture_data, "xlsx")


def test_the_export_exposure_lists_every_mart_export_writes(
    fixture_data: DataDir, tmp_path: Path
) -> None:
    files = export_marts(fixture_data, "parquet", tmp_path / "export")
    assert exposure_marts(fixture_data, "parquet_export") == {f.stem for f in files}
