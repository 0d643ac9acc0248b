"""The project's own generic data tests catch what they exist to catch."""

from __future__ import annotations

import re
import shutil
from contextlib import contextmanager

import duckdb


def _compiled_test(data, prefix: str) -> str:
    """The query the fixture's build ran for one data test (dbt shortens a long test
    name with a hash, hence the prefix)."""
    compiled = list((data.root / "target" / "compiled").rglob(f"{prefix}*.sql"))
    assert len(compiled) == 1, compiled
    return compiled[0].read_text()


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
