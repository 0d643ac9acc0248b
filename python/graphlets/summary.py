"""Short terminal summaries of what the warehouse holds (read-only queries)."""

from __future__ import annotations

import duckdb
from rich.console import Console
from rich.table import Table

from graphlets.paths import DataDir


def connect(data: DataDir) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(data.warehouse), read_only=True)


def print_quarantine_line(console: Console, data: DataDir) -> None:
    """One line: how many raw rows were set aside, and why."""
    with connect(data) as con:
        rows = con.execute(
            "select source_table, quarantine_reason, count(*) from marts.fct_quarantined_rows "
            "group by all order by 3 desc, 1, 2"
        ).fetchall()
    if not rows:
        console.print("quarantine: no raw rows set aside")
        return
    total = sum(count for _, _, count in rows)
    parts = ", ".join(f"{count} {table} ({reason})" for table, reason, count in rows)
    console.print(
        f"[yellow]quarantine: {total} raw rows set aside[/] - {parts}; "
        "see marts.fct_quarantined_rows"
    )


def print_summary(console: Console, data: DataDir) -> None:
    """What the warehouse now holds: row counts of the marts."""
    with connect(data) as con:
        marts = con.execute(
            "select table_name, estimated_size from duckdb_tables() "
            "where schema_name = 'marts' order by table_name"
        ).fetchall()
    table = Table(title=f"marts in {data.warehouse}")
    table.add_column("mart")
    table.add_column("rows", justify="right")
    for name, rows in marts:
        table.add_row(name, f"{rows:,}")
    console.print(table)
