"""The real MLMD store `tfx_small.sqlite` against its independently computed truth file."""

from __future__ import annotations

import pytest
import truth_checks


def test_graphlet_members_match_truth(warehouse, truth):
    truth_checks.check_graphlet_members(warehouse, truth)


def test_graphlet_attributes_match_truth(warehouse, truth):
    truth_checks.check_graphlet_attributes(warehouse, truth)


def test_external_inputs_match_truth(warehouse, truth):
    truth_checks.check_external_inputs(warehouse, truth)


def test_executions_match_truth(warehouse, truth):
    truth_checks.check_executions(warehouse, truth)


@pytest.mark.parametrize("breakdown,key", truth_checks.BREAKDOWNS)
def test_waste_breakdowns_match_truth(warehouse, truth, breakdown, key):
    truth_checks.check_waste_breakdown(warehouse, truth, breakdown, key)


def test_fleet_totals_match_truth(warehouse, truth):
    truth_checks.check_fleet_totals(warehouse, truth)


def test_recomputation_matches_truth(warehouse, truth):
    truth_checks.check_recomputation(warehouse, truth)


def test_build_ran_data_tests(fixture_build):
    _, result = fixture_build
    tests = [n for n in result.nodes if n.resource_type == "test"]
    assert len(tests) > 50
    assert all(n.status == "pass" for n in tests)
