"""The raw layer's contract: MLMD's own tables and columns (schema version 10).

Every loader (SQLite stores, exported files, the simulator) writes exactly these
tables, one Parquet file each, with these column names and DuckDB types. Columns
that older schema versions lack are listed in OPTIONAL_COLUMNS and filled with NULL.
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = 10


def _property_columns(owner_column: str) -> list[tuple[str, str]]:
    """The three property tables (EAV) differ only in their owner column."""
    return [
        (owner_column, "BIGINT"),
        ("name", "VARCHAR"),
        ("is_custom_property", "BIGINT"),
        ("int_value", "BIGINT"),
        ("double_value", "DOUBLE"),
        ("string_value", "VARCHAR"),
        ("byte_value", "BLOB"),
        ("proto_value", "VARCHAR"),  # base64 text of a google.protobuf.Any
        ("bool_value", "BIGINT"),
    ]


# table -> [(column, duckdb type)] in MLMD's column order.
TABLES: dict[str, list[tuple[str, str]]] = {
    "Type": [
        ("id", "BIGINT"),
        ("name", "VARCHAR"),
        ("version", "VARCHAR"),
        ("type_kind", "BIGINT"),
        ("description", "VARCHAR"),
        ("input_type", "VARCHAR"),
        ("output_type", "VARCHAR"),
        ("external_id", "VARCHAR"),
    ],
    "TypeProperty": [("type_id", "BIGINT"), ("name", "VARCHAR"), ("data_type", "BIGINT")],
    "ParentType": [("type_id", "BIGINT"), ("parent_type_id", "BIGINT")],
    "Artifact": [
        ("id", "BIGINT"),
        ("type_id", "BIGINT"),
        ("uri", "VARCHAR"),
        ("state", "BIGINT"),
        ("name", "VARCHAR"),
        ("external_id", "VARCHAR"),
        ("create_time_since_epoch", "BIGINT"),
        ("last_update_time_since_epoch", "BIGINT"),
    ],
    "ArtifactProperty": _property_columns("artifact_id"),
    "Execution": [
        ("id", "BIGINT"),
        ("type_id", "BIGINT"),
        ("last_known_state", "BIGINT"),
        ("name", "VARCHAR"),
        ("external_id", "VARCHAR"),
        ("create_time_since_epoch", "BIGINT"),
        ("last_update_time_since_epoch", "BIGINT"),
    ],
    "ExecutionProperty": _property_columns("execution_id"),
    "Event": [
        ("id", "BIGINT"),
        ("artifact_id", "BIGINT"),
        ("execution_id", "BIGINT"),
        ("type", "BIGINT"),
        ("milliseconds_since_epoch", "BIGINT"),
    ],
    "EventPath": [
        ("event_id", "BIGINT"),
        ("is_index_step", "BIGINT"),
        ("step_index", "BIGINT"),
        ("step_key", "VARCHAR"),
    ],
    "Context": [
        ("id", "BIGINT"),
        ("type_id", "BIGINT"),
        ("name", "VARCHAR"),
        ("external_id", "VARCHAR"),
        ("create_time_since_epoch", "BIGINT"),
        ("last_update_time_since_epoch", "BIGINT"),
    ],
    "ContextProperty": _property_columns("context_id"),
    "ParentContext": [("context_id", "BIGINT"), ("parent_context_id", "BIGINT")],
    "Attribution": [("id", "BIGINT"), ("context_id", "BIGINT"), ("artifact_id", "BIGINT")],
    "Association": [("id", "BIGINT"), ("context_id", "BIGINT"), ("execution_id", "BIGINT")],
    "MLMDEnv": [("schema_version", "BIGINT")],
}

# Columns a store older than schema version 10 may lack (filled with NULL on load).
# Tables a store from schema version 6 on always has; ParentType/ParentContext came in 6.
# byte_value came with schema version 7, proto_value and bool_value with 10.
_LATER_PROPERTY_VALUES = {"byte_value", "proto_value", "bool_value"}
OPTIONAL_COLUMNS: dict[str, set[str]] = {
    "Type": {"version", "description", "input_type", "output_type", "external_id"},
    "Artifact": {"external_id", "name"},
    "Execution": {"external_id", "name"},
    "Context": {"external_id"},
    **{
        table: _LATER_PROPERTY_VALUES
        for table in ("ArtifactProperty", "ExecutionProperty", "ContextProperty")
    },
}

# Columns MLMD declares boolean (PostgreSQL keeps them so); the raw layer holds 0/1.
BOOLEAN_COLUMNS = {"is_custom_property", "bool_value", "is_index_step"}

# Oldest schema version whose stores the loaders accept (ParentType/ParentContext exist).
MIN_SCHEMA_VERSION = 6


def column_names(table: str) -> list[str]:
    return [name for name, _ in TABLES[table]]


def required_columns(table: str) -> list[str]:
    optional = OPTIONAL_COLUMNS.get(table, set())
    return [name for name in column_names(table) if name not in optional]


# The raw layer's column types as Arrow types (Parquet files, loaders, the simulator).
ARROW_TYPES: dict[str, pa.DataType] = {
    "BIGINT": pa.int64(),
    "VARCHAR": pa.string(),
    "DOUBLE": pa.float64(),
    "BLOB": pa.binary(),
}


def arrow_schema(table: str) -> pa.Schema:
    return pa.schema([(name, ARROW_TYPES[kind]) for name, kind in TABLES[table]])
