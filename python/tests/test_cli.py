"""The `graphlets` command: clear errors, non-zero exits, and the build's own output."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from graphlets.cli import app
from graphlets.dbt_runner import run_dbt
from graphlets.paths import BUNDLED_STORE, DataDir
from graphlets.report import MissingMartError, write_report

runner = CliRunner()


def _text(result) -> str:
    """The output with rich's line wrapping undone."""
    return " ".join(result.output.split())


def test_build_without_a_raw_layer_says_what_to_do(tmp_path):
    result = runner.invoke(app, ["build", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "no raw layer" in _text(result)
    assert "graphlets ingest" in _text(result)


def test_ingest_of_a_missing_store_fails_clearly(tmp_path):
    result = runner.invoke(
        app, ["ingest", "mlmd", str(tmp_path / "nope.sqlite"), "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "no such file" in _text(result)


def test_build_failure_exits_non_zero_with_dbt_message(tmp_path):
    assert (
        runner.invoke(
            app, ["ingest", "mlmd", str(BUNDLED_STORE), "--data-dir", str(tmp_path)]
        ).exit_code
        == 0
    )
    # A depth bound of the right type but out of range is refused by the traversal macro.
    result = runner.invoke(app, ["build", "--var", "max_depth=0", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "the build failed" in _text(result)
    assert "var max_depth must be a whole number >= 1, not 0" in _text(result)


def test_report_on_a_partial_warehouse_names_the_missing_mart(tmp_path):
    assert (
        runner.invoke(
            app, ["ingest", "mlmd", str(BUNDLED_STORE), "--data-dir", str(tmp_path)]
        ).exit_code
        == 0
    )
    data = DataDir(tmp_path)
    # Only the quarantine marts: the report's figures are not built.
    assert run_dbt(
        data, "build", "--select", "+fct_quarantined_rows", "--indirect-selection", "cautious"
    ).success
    with pytest.raises(MissingMartError, match="is missing from the warehouse"):
        write_report(data)
    assert not data.report.exists()
    # The command refuses it sooner: the file does not record a build of the raw layer.
    result = runner.invoke(app, ["report", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "does not record what it was built from" in _text(result)
