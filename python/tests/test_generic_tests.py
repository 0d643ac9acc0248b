"""The project's own generic data tests catch what they exist to catch."""

from __future__ import annotations

import re
import shutil
from contextlib import contextmanager

import duckdb


def _compiled_test(data, prefix: str, reading: str = "") -> str:
    """The query the fixture's build ran for one data test: the one whose file name
    starts with `prefix` (dbt shortens a long test name with a hash) and that reads the
    relation named `reading`."""
    compiled = [
        path.read_text()
        for path in (data.root / "target" / "compiled").rglob(f"{prefix}*.sql")
        if f'."{reading}"' in path.read_text() or not reading
    ]
    assert len(compiled) == 1, compiled
    return compiled[0]


@contextmanager
def _warehouse_copy(data, query: str, tmp_path):
    """A writable copy of the fixture's warehouse, attached under the catalog name the
    compiled query uses."""
    catalog = re.search(r'from "([^"]+)"\."(?:marts|staging|intermediate)"\.', query).group(1)
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(data.warehouse, copy)
    with duckdb.connect() as con:
        con.execute(f"attach '{copy}' as \"{catalog}\"")
        yield con, catalog


def test_not_null_columns_names_each_column_that_holds_nulls(fixture_data, tmp_path) -> None:
    query = _compiled_test(fixture_data, "not_null_columns_fct_lineage")
    with _warehouse_copy(fixture_data, query, tmp_path) as (con, catalog):
        edges = f'"{catalog}".marts.fct_lineage_edges'
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


def test_unique_on_integer_ids_proves_them_with_a_bitmap_and_lists_repeats(
    fixture_data, tmp_path
) -> None:
    query = _compiled_test(fixture_data, "unique_fct_executions_execution_id")
    assert "bitstring_agg(execution_id" in query  # the bitmap proof, not only grouping
    with _warehouse_copy(fixture_data, query, tmp_path) as (con, catalog):
        executions = f'"{catalog}".marts.fct_executions'
        assert con.execute(query).fetchall() == []
        # A null is no repeat (dbt's unique), though it leaves the bitmap unproven.
        con.execute(
            f"insert into {executions} select * replace (null as execution_id) "
            f"from {executions} limit 1"
        )
        assert con.execute(query).fetchall() == []
        first = con.execute(f"select min(execution_id) from {executions}").fetchone()[0]
        con.execute(
            f"insert into {executions} select * from {executions} where execution_id = {first}"
        )
        assert con.execute(query).fetchall() == [(first, 2)]


def test_unique_on_text_keys_groups_them(fixture_data, tmp_path) -> None:
    query = _compiled_test(fixture_data, "unique_dim_nodes_node_id")
    assert "bitstring_agg" not in query  # not integers: dbt's grouping alone
    with _warehouse_copy(fixture_data, query, tmp_path) as (con, catalog):
        nodes = f'"{catalog}".marts.dim_nodes'
        assert con.execute(query).fetchall() == []
        con.execute(f"insert into {nodes} select * from {nodes} where node_id = 'artifact:1'")
        assert con.execute(query).fetchall() == [("artifact:1", 2)]


def test_unique_combination_proves_property_keys_per_name_and_lists_repeats(
    fixture_data, tmp_path
) -> None:
    query = _compiled_test(
        fixture_data, "unique_combination_of_columns", reading="stg_mlmd__artifact_properties"
    )
    assert "bitstring_agg(artifact_id" in query and "group by property_name" in query
    with _warehouse_copy(fixture_data, query, tmp_path) as (con, catalog):
        assert con.execute(query).fetchall() == []
        # A repeat the base model failed to set aside (the staging model is its view).
        base = f'"{catalog}".staging.base_mlmd__artifact_properties'
        row = con.execute(
            f"select source_row_number, artifact_id, property_name, is_custom_property from {base} "
            "where quarantine_reason is null order by source_row_number limit 1"
        ).fetchone()
        con.execute(
            f"insert into {base} select * from {base} where source_row_number = ?", [row[0]]
        )
        assert con.execute(query).fetchall() == [(*row[1:], 2)]
