"""The raw layer's contract is written once, in `graphlets.mlmd_schema.TABLES`; the
dbt sources, the reconciliation's table list and MLMD's own DDL (which the simulator
uses to write SQLite stores) are checked against it here."""

from __future__ import annotations

import re
import sqlite3

import yaml

from graphlets import mlmd_schema
from graphlets.paths import PROJECT_DIR
from graphlets.simulate.writers import mlmd_ddl_statements

SOURCES = PROJECT_DIR / "models" / "staging" / "mlmd" / "_mlmd__sources.yml"
RAW_TABLES_MACRO = PROJECT_DIR / "macros" / "mlmd" / "raw_tables.sql"

# SQLite declared type (MLMD's DDL) -> the raw layer's type for it.
_SQLITE_TO_RAW = {
    "INTEGER": "BIGINT",
    "INT": "BIGINT",
    "TINYINT(1)": "BIGINT",
    "BOOLEAN": "BIGINT",
    "VARCHAR(255)": "VARCHAR",
    "TEXT": "VARCHAR",
    "DOUBLE": "DOUBLE",
    "BLOB": "BLOB",
}
# proto_value is a serialized google.protobuf.Any: BLOB in MLMD, base64 text in the
# raw layer so that every loader and Parquet reader carries it alike.
_RAW_LAYER_CHOICES = {"proto_value": ("BLOB", "VARCHAR")}


def test_dbt_sources_declare_every_raw_table_and_column_in_order():
    source = yaml.safe_load(SOURCES.read_text())["sources"][0]
    declared = {t["name"]: [c["name"] for c in t["columns"]] for t in source["tables"]}
    expected = {table: mlmd_schema.column_names(table) for table in mlmd_schema.TABLES}
    assert declared == expected


def test_reconciliation_lists_every_raw_table_once():
    listed = re.findall(r"'table': '(\w+)'", RAW_TABLES_MACRO.read_text())
    assert sorted(listed) == sorted(mlmd_schema.TABLES)
    assert len(listed) == len(set(listed))


def test_mlmd_ddl_matches_the_raw_contract():
    con = sqlite3.connect(":memory:")
    creates, _ = mlmd_ddl_statements()
    for statement in creates:
        con.execute(statement)
    for table, columns in mlmd_schema.TABLES.items():
        found = [
            (name, declared.upper())
            for _, name, declared, *_ in con.execute(f"PRAGMA table_info(`{table}`)")
        ]
        assert [name for name, _ in found] == [name for name, _ in columns], table
        for (name, declared), (_, raw_type) in zip(found, columns, strict=True):
            mlmd_type = _SQLITE_TO_RAW[declared]
            assert (mlmd_type, raw_type) in {
                (raw_type, raw_type),
                _RAW_LAYER_CHOICES.get(name),
            }, f"{table}.{name}: MLMD {declared}, raw layer {raw_type}"
