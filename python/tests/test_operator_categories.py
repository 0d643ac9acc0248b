"""Operator categories come from the editable seed, matched on the class name."""

from __future__ import annotations

import duckdb
from conftest import build
from mlmd_builder import MLMDBuilder

from graphlets.paths import DataDir

T0 = 1_704_067_200_000
HOUR = 3_600_000
CUSTOM = "acme.pipelines.components.FeatureCrosser"
BIGQUERY = "tfx.extensions.google_cloud_big_query.example_gen.component.BigQueryExampleGen"


def test_custom_types_are_listed_as_unmapped_and_wildcards_match(tmp_path):
    store = MLMDBuilder()
    run = store.run("acme")
    _, made = store.execution(
        BIGQUERY, run=run, start=T0, end=T0 + HOUR, cost=10.0, outputs={"examples": ["Examples"]}
    )
    for hour in (1, 2):  # two runs of the custom component; one cached (zero cost)
        store.execution(
            CUSTOM,
            run=run,
            start=T0 + hour * HOUR,
            end=T0 + (hour + 1) * HOUR,
            state="COMPLETE" if hour == 1 else "CACHED",
            cost=7.0,
            inputs={"examples": made["examples"]},
        )
    data = DataDir(tmp_path)
    store.write(data.raw)
    build(
        data,
        None,
        "--select",
        "+fct_unmapped_execution_types",
        "+fct_executions",
        "--indirect-selection",
        "cautious",
    )
    with duckdb.connect(str(data.warehouse), read_only=True) as con:
        unmapped = con.execute(
            "select execution_type, execution_class_name, execution_count, total_cost "
            "from marts.fct_unmapped_execution_types"
        ).fetchall()
        categories = dict(
            con.execute(
                "select execution_class_name, any_value(category) from marts.fct_executions "
                "group by 1"
            ).fetchall()
        )
    # MLMD's own base types (mlmd.Train, ...) never ran, so they are not listed.
    assert unmapped == [(CUSTOM, "FeatureCrosser", 2, 7.0)]
    assert categories == {"BigQueryExampleGen": "ingestion", "FeatureCrosser": "other"}
