"""The project's own generic data tests catch what they exist to catch."""

from __future__ import annotations

import re
import shutil

import duckdb


def test_not_null_columns_names_each_column_that_holds_nulls(fixture_data, tmp_path) -> None:
    # The query the fixture's build ran for fct_lineage_edges' not-null columns (dbt
    # shortens a long test name with a hash, hence the prefix).
    compiled = list(
        (fixture_data.root / "target" / "compiled").rglob("not_null_columns_fct_lineage*.sql")
    )
    assert len(compiled) == 1, compiled
    query = compiled[0].read_text()
    catalog = re.search(r'from "([^"]+)"\."marts"\."fct_lineage_edges"', query).group(1)
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(fixture_data.warehouse, copy)
    edges = f'"{catalog}".marts.fct_lineage_edges'
    with duckdb.connect() as con:
        con.execute(f"attach '{copy}' as \"{catalog}\"")
        assert con.execute(query).fetchall() == []
        con.execute(
            f"update {edges} set to_node_id = null where event_id in "
            f"(select event_id from {edges} order by event_id limit 2)"
        )
        con.execute(
            f"update {edges} set from_node_id = null "
            f"where event_id = (select max(event_id) from {edges})"
        )
        assert sorted(con.execute(query).fetchall()) == [("from_node_id", 1), ("to_node_id", 2)]
