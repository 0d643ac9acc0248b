"""The unrolled traversal (for engines with weak recursion) equals DuckDB's recursive one."""

from __future__ import annotations

import duckdb
from conftest import STORE, build

from graphlets.ingest import ingest_sqlite
from graphlets.paths import DataDir

MEMBERS = (
    "select graphlet_id, node_id, member_role, depth from marts.fct_graphlet_members order by all"
)


def test_unrolled_traversal_gives_the_same_graphlets(tmp_path, fixture_data):
    data = DataDir(tmp_path)
    ingest_sqlite(STORE, data.raw)
    # Cautious: data tests run only when all their parents were built.
    build(
        data,
        {"portable_graphlet_reach": True, "max_depth": 24},
        "--select",
        "+fct_graphlet_members",
        "--indirect-selection",
        "cautious",
    )
    with duckdb.connect(str(data.warehouse), read_only=True) as con:
        unrolled = con.execute(MEMBERS).fetchall()
    with duckdb.connect(str(fixture_data.warehouse), read_only=True) as con:
        recursive = con.execute(MEMBERS).fetchall()
    assert len(recursive) > 100
    assert unrolled == recursive
