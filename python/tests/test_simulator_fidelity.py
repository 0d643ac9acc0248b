"""The simulator records runs the way real TFX 1.16 does: the structural fingerprint of a
simulated store against the one of the store real TFX wrote (`fixtures/mlmd/real_tfx/`).

The simulated fleet has components the real store lacks (Tuner, Importer, InfraValidator,
BulkInferrer, other ExampleGens, warm start, span windows) and states it lacks (RUNNING,
CANCELED), so per-type parts are compared on the (type, state) pairs both stores have;
the test first checks that the simulator has every pair the real store has.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import store_fingerprint
from conftest import FIXTURES

from graphlets.ingest import ingest_sqlite
from graphlets.simulate import simulate

REAL_STORE = FIXTURES / "mlmd" / "real_tfx" / "tfx_real_public.sqlite"
Fingerprint = dict[str, set[tuple]]

# Differences that remain, and why (docs/simulator.md, "Real TFX 1.16").
# The simulator's cost stand-in: real TFX records no compute cost at all.
SIMULATOR_ONLY_PROPERTIES = {"cpu_seconds"}
# The simulator's drift figures, where a TFX user would record them.
SIMULATOR_ONLY_ARTIFACT_PROPERTIES = {"drift_score", "num_anomalies"}
# One artifact as candidate and baseline: TFX merges the two keys into one event with a
# 4-step path. The real store never evaluated a model against itself.
MERGED_PATH = ("Evaluator", 3, 3, "key/index/key/index")
# Transform's analysis outputs (statistics, schemas, anomalies before and after, the
# analyzer cache): nothing in a graphlet consumes them; not simulated.
TRANSFORM_ANALYSIS_OUTPUTS = {
    ("Transform", 4, f"{key}/*")
    for key in (
        "pre_transform_stats",
        "pre_transform_schema",
        "post_transform_stats",
        "post_transform_schema",
        "post_transform_anomalies",
        "updated_analyzer_cache",
    )
}
# Caching off is per node for a pipeline's life in the simulator, per run in TFX: a
# recomputed cache context never sees a later hit.
RECOMPUTED_THEN_HIT = (True, True, False)


@pytest.fixture(scope="module")
def fingerprints(tmp_path_factory: pytest.TempPathFactory) -> tuple[Fingerprint, Fingerprint]:
    root = Path(tmp_path_factory.mktemp("fidelity"))
    ingest_sqlite(REAL_STORE, root / "real")
    simulate(root / "sim" / "raw", preset="tiny", seed=0)
    return (
        store_fingerprint.fingerprint(root / "real"),
        store_fingerprint.fingerprint(root / "sim" / "raw"),
    )


def _on_shared_pairs(part: set[tuple], pairs: set[tuple]) -> set[tuple]:
    return {row for row in part if row[:2] in pairs}


def _shared_pairs(real: Fingerprint, sim: Fingerprint) -> set[tuple]:
    real_pairs = {row[:2] for row in real["associations"]}
    sim_pairs = {row[:2] for row in sim["associations"]}
    assert real_pairs <= sim_pairs, real_pairs - sim_pairs
    return real_pairs


@pytest.mark.parametrize(
    "part",
    ["context_names", "context_parents", "resolvers", "attribution", "data_artifact_properties"],
)
def test_same_store_wide_parts(fingerprints, part):
    real, sim = fingerprints
    assert sim[part] == real[part]


def test_same_node_ids_per_type(fingerprints):
    real, sim = fingerprints
    classes = {cls for cls, _ in real["node_ids"]}
    simulated = {row for row in sim["node_ids"] if row[0] in classes}
    assert real["node_ids"] <= simulated
    # components are named after their class; only resolvers are named by the user
    assert {cls for cls, _ in simulated - real["node_ids"]} == {"Resolver"}


def test_same_associations_per_type_and_state(fingerprints):
    real, sim = fingerprints
    pairs = _shared_pairs(real, sim)
    assert _on_shared_pairs(sim["associations"], pairs) == real["associations"]


def test_same_execution_properties_per_type_and_state(fingerprints):
    real, sim = fingerprints
    pairs = _shared_pairs(real, sim)
    simulated = {
        row
        for row in _on_shared_pairs(sim["execution_properties"], pairs)
        if row[2] not in SIMULATOR_ONLY_PROPERTIES
    }
    assert simulated == real["execution_properties"]


def test_same_artifact_properties_per_type(fingerprints):
    real, sim = fingerprints
    types = {row[0] for row in real["artifact_properties"]}
    simulated = {
        row
        for row in sim["artifact_properties"]
        if row[0] in types and row[1] not in SIMULATOR_ONLY_ARTIFACT_PROPERTIES
    }
    assert simulated == real["artifact_properties"] - _not_simulated_types(real, sim)


def _not_simulated_types(real: Fingerprint, sim: Fingerprint) -> set[tuple]:
    """Rows of artifact types the simulator never writes (Transform's analysis outputs)."""
    simulated_types = {row[0] for row in sim["artifact_properties"]}
    missing = {row for row in real["artifact_properties"] if row[0] not in simulated_types}
    assert {row[0] for row in missing} == {"TransformCache"}
    return missing


def test_same_event_shapes_per_type_and_state(fingerprints):
    real, sim = fingerprints
    pairs = _shared_pairs(real, sim)
    assert _on_shared_pairs(sim["event_shapes"], pairs) == real["event_shapes"] | {MERGED_PATH}
    assert ("Evaluator", 3, "baseline_model/*/model/*") in sim["event_keys"]


def test_real_event_keys_are_simulated(fingerprints):
    real, sim = fingerprints
    classes = {row[0] for row in real["event_keys"]}
    simulated = {row for row in sim["event_keys"] if row[0] in classes}
    assert real["event_keys"] - TRANSFORM_ANALYSIS_OUTPUTS <= simulated
    assert real["event_keys"] >= TRANSFORM_ANALYSIS_OUTPUTS


def test_cache_contexts_hold_what_real_ones_hold(fingerprints):
    real, sim = fingerprints
    assert real["cache_contexts"] - {RECOMPUTED_THEN_HIT} <= sim["cache_contexts"]
    assert RECOMPUTED_THEN_HIT in real["cache_contexts"]
    # a recomputation with caching off joins the context of the execution it repeats
    assert any(has_recomputation for has_recomputation, _, _ in sim["cache_contexts"])
