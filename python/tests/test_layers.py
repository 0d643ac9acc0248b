"""The layers point one way: staging and intermediate models never read a mart."""

from __future__ import annotations

import json

from graphlets.dbt_runner import run_dbt


def test_no_staging_or_intermediate_model_reads_a_mart(fixture_data):
    assert run_dbt(fixture_data, "parse").success
    manifest = json.loads((fixture_data.root / "target" / "manifest.json").read_text())
    models = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
    }

    def layer(node: dict) -> str:
        return node["original_file_path"].split("/")[1]

    layers = {layer(node) for node in models.values()}
    assert {"staging", "intermediate", "marts"} <= layers, layers
    backwards = [
        f"{node['name']} reads {models[parent]['name']}"
        for node in models.values()
        if layer(node) in ("staging", "intermediate")
        for parent in node["depends_on"]["nodes"]
        if parent in models and layer(models[parent]) == "marts"
    ]
    assert backwards == []
