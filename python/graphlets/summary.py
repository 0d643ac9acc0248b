"""Short terminal summaries of what the warehouse holds (read-only queries)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from graphlets.paths import DataDir


def print_quarantine_line(console: Console, data: DataDir) -> None:
    """One line: how many raw rows were set aside, and why."""
    with data.read_warehouse() as con:
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


HEADLINES: list[tuple[str, str, str]] = [
    ("pipeline_count", "pipelines", "{:,}"),
    ("run_count", "runs", "{:,}"),
    ("graphlet_count", "graphlets (models trained)", "{:,}"),
    ("pushed_graphlet_count", "graphlets that pushed", "{:,}"),
    ("no_push_share", "decided graphlets that pushed nothing", "{:.1%}"),
    ("pending_graphlet_count", "graphlets pending", "{:,}"),
    ("truncated_graphlet_count", "graphlets truncated at max_depth", "{:,}"),
    ("orphan_execution_count", "orphan executions", "{:,}"),
    ("cache_hit_rate", "cache hit rate", "{:.1%}"),
    ("total_cost", "total cost", "{:,.0f}"),
    ("wasted_cost", "wasted cost", "{:,.0f}"),
    ("waste_share", "waste share", "{:.1%}"),
    ("quarantined_row_count", "raw rows quarantined", "{:,}"),
]


def print_summary(console: Console, data: DataDir) -> None:
    """Headline numbers from marts.rpt_fleet_summary, and the marts' row counts."""
    with data.read_warehouse() as con:
        cursor = con.execute("select * from marts.rpt_fleet_summary")
        names = [d[0] for d in cursor.description]
        row = dict(zip(names, cursor.fetchone() or [None] * len(names), strict=True))
        marts = con.execute(
            "select table_name, estimated_size from duckdb_tables() "
            "where schema_name = 'marts' order by table_name"
        ).fetchall()
    as_of = row.get("as_of")
    headline = Table(title="fleet summary" + (f" as of {as_of}" if as_of else ""))
    headline.add_column("measure")
    headline.add_column("value", justify="right")
    for column, label, fmt in HEADLINES:
        value = row.get(column)
        headline.add_row(label, "-" if value is None else fmt.format(value))
    console.print(headline)
    table = Table(title=f"marts in {data.warehouse}")
    table.add_column("mart")
    table.add_column("rows", justify="right")
    for name, rows in marts:
        table.add_row(name, f"{rows:,}")
    console.print(table)
