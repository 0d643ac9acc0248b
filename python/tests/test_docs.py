"""Documentation: `dbt docs generate` works offline, and every model and column is described."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from graphlets.dbt_runner import run_dbt
from graphlets.paths import PROJECT_DIR


def test_docs_generate_offline_and_everything_is_documented(fixture_data):
    result = run_dbt(fixture_data, "docs generate")
    assert result.success
    target = fixture_data.root / "target"
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    models = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed")
    }
    assert len(models) > 60
    undocumented = [n["name"] for n in models.values() if not n["description"].strip()]
    assert undocumented == []
    missing_columns = []
    for unique_id, entry in catalog["nodes"].items():
        if unique_id not in models:
            continue
        described = {
            name
            for name, column in models[unique_id]["columns"].items()
            if column.get("description", "").strip()
        }
        missing_columns += [
            f"{models[unique_id]['name']}.{name}"
            for name in entry["columns"]
            if name not in described
        ]
    assert missing_columns == []
    sources = [n for n in manifest["sources"].values()]
    assert len(sources) == 15
    assert all(
        s["description"] and all(c["description"] for c in s["columns"].values()) for s in sources
    )


ENGINE_IMPLEMENTATION = re.compile(r"^(default|duckdb|spark|trino|postgres)__")
SIGNATURE = re.compile(r"{%-?\s*(?:macro|test)\s+\w+\s*\(([^)]*)\)")


def test_every_macro_and_its_arguments_are_documented(fixture_data):
    """`macros/_macros.yml` documents every macro a model calls (the engine
    implementations are documented by the macro that dispatches them)."""
    assert run_dbt(fixture_data, "parse").success
    manifest = json.loads((fixture_data.root / "target" / "manifest.json").read_text())
    problems = []
    for macro in manifest["macros"].values():
        if macro["package_name"] != "graphlets" or ENGINE_IMPLEMENTATION.match(macro["name"]):
            continue
        signature = SIGNATURE.search(macro["macro_sql"])
        expected = [a.split("=")[0].strip() for a in signature.group(1).split(",") if a.strip()]
        documented = {a["name"]: a.get("description", "") for a in macro["arguments"]}
        if not macro["description"].strip():
            problems.append(f"{macro['name']}: no description")
        if list(documented) != expected or not all(documented.values()):
            problems.append(f"{macro['name']}: arguments {expected}, documented {documented}")
    assert problems == []


def test_model_property_files_are_in_the_house_yaml_style():
    """`scripts/format_model_yaml.py` rewrites them; nothing may be left to rewrite."""
    checked = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "scripts" / "format_model_yaml.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout
