"""A store written by real TFX 1.16 (`LocalDagRunner`, two pipelines) against its truth file.

The store and the scripts that recorded it are in `fixtures/mlmd/real_tfx/`; its runs are
described in `tfx_real_public.runs.md`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
import truth_checks
from conftest import FIXTURES, build

from graphlets.ingest import ingest_sqlite
from graphlets.paths import DataDir

REAL_TFX = FIXTURES / "mlmd" / "real_tfx"
REAL_STORE = REAL_TFX / "tfx_real_public.sqlite"


@pytest.fixture(scope="module")
def real_truth() -> dict[str, Any]:
    return json.loads((REAL_TFX / "tfx_real_public.truth.json").read_text())


@pytest.fixture(scope="module")
def real_data(tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    data = DataDir(Path(tmp_path_factory.mktemp("tfx_real_public")))
    ingest_sqlite(REAL_STORE, data.raw)
    build(data)
    return data


@pytest.fixture()
def real_warehouse(real_data: DataDir) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(real_data.warehouse), read_only=True) as con:
        yield con


def test_graphlet_members_match_truth(real_warehouse, real_truth):
    truth_checks.check_graphlet_members(real_warehouse, real_truth)


def test_graphlet_attributes_match_truth(real_warehouse, real_truth):
    truth_checks.check_graphlet_attributes(real_warehouse, real_truth)


def test_external_inputs_match_truth(real_warehouse, real_truth):
    truth_checks.check_external_inputs(real_warehouse, real_truth)


def test_executions_match_truth(real_warehouse, real_truth):
    truth_checks.check_executions(real_warehouse, real_truth)


@pytest.mark.parametrize("breakdown,key", truth_checks.BREAKDOWNS)
def test_waste_breakdowns_match_truth(real_warehouse, real_truth, breakdown, key):
    truth_checks.check_waste_breakdown(real_warehouse, real_truth, breakdown, key)


def test_fleet_totals_match_truth(real_warehouse, real_truth):
    truth_checks.check_fleet_totals(real_warehouse, real_truth)


def test_recomputation_matches_truth(real_warehouse, real_truth):
    truth_checks.check_recomputation(real_warehouse, real_truth)
