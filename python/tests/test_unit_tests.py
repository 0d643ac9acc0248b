"""The SQL's dbt unit tests run on their own (`graphlets test`), not in every build."""

from __future__ import annotations

import json

from conftest import unit_test_count
from typer.testing import CliRunner

from graphlets.cli import app

runner = CliRunner()


def test_a_build_runs_models_and_data_tests_but_no_unit_test(fixture_build) -> None:
    _, result = fixture_build
    kinds = {node.resource_type for node in result.nodes}
    assert {"model", "seed", "test"} <= kinds
    assert "unit_test" not in kinds


def test_graphlets_test_runs_every_unit_test(fixture_data) -> None:
    result = runner.invoke(app, ["test", "--data-dir", str(fixture_data.root)])
    assert result.exit_code == 0, result.output
    count = unit_test_count(fixture_data)
    assert count >= 11
    assert f"{count} unit tests passed" in result.output
    run = json.loads((fixture_data.root / "target" / "run_results.json").read_text())
    passed = {r["unique_id"].split(".")[-1] for r in run["results"] if r["status"] == "pass"}
    assert len(passed) == count
    assert passed >= {
        "outcome_is_the_first_rule_that_applies",
        "cost_comes_from_the_first_rule_that_applies",
        "tradeoff_sums_pipelines_and_compares_with_no_pruning",
    }


def test_graphlets_test_without_a_warehouse_says_what_to_do(tmp_path) -> None:
    result = runner.invoke(app, ["test", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "run `graphlets build` first" in " ".join(result.output.split())
