"""Shared fixtures: the real MLMD fixture store, loaded and built once per session."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from graphlets.dbt_runner import BuildResult, run_dbt
from graphlets.ingest import ingest_sqlite
from graphlets.paths import BUNDLED_STORE, DataDir
from graphlets.warehouse import build as build_warehouse

FIXTURES = Path(__file__).parent / "fixtures"
# Lines a test module wants in the run's closing summary (the fault tally).
SUMMARY_LINES = pytest.StashKey[list[str]]()
STORE = BUNDLED_STORE  # the real store, shipped in the package for the demo too
TRUTH = FIXTURES / "mlmd" / "tfx_small.truth.json"


def build(data: DataDir, variables: dict[str, Any] | None = None, *args: str) -> BuildResult:
    """dbt build on `data`; fail the test with dbt's own messages when it fails."""
    result = run_dbt(data, "build", *args, variables=variables)
    failures = [f"{n.name}: {n.status}: {n.message}" for n in result.failures]
    assert result.success, "dbt build failed:\n" + "\n".join(failures)
    return result


@pytest.fixture(scope="session")
def truth() -> dict[str, Any]:
    return json.loads(TRUTH.read_text())


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[DataDir, BuildResult]:
    data = DataDir(tmp_path_factory.mktemp("tfx_small"))
    ingest_sqlite(STORE, data.raw)
    # The command's own build: a new file swapped in, with its build status recorded.
    return data, build_warehouse(data).result


@pytest.fixture(scope="session")
def fixture_data(fixture_build: tuple[DataDir, BuildResult]) -> DataDir:
    return fixture_build[0]


@pytest.fixture()
def warehouse(fixture_data: DataDir):
    with duckdb.connect(str(fixture_data.warehouse), read_only=True) as con:
        yield con


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    for line in config.stash.get(SUMMARY_LINES, []):
        terminalreporter.write_line(line)


def unit_test_count(data: DataDir) -> int:
    """How many unit tests the project defines, from the data dir's last dbt manifest."""
    manifest = json.loads((data.root / "target" / "manifest.json").read_text())
    return len(manifest["unit_tests"])


def exposure_marts(data: DataDir, exposure: str) -> set[str]:
    """The marts an exposure of the built project declares it depends on."""
    manifest = json.loads((data.root / "target" / "manifest.json").read_text())
    nodes = manifest["exposures"][f"exposure.graphlets.{exposure}"]["depends_on"]["nodes"]
    return {node.rsplit(".", 1)[-1] for node in nodes}
