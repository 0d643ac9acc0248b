"""Loading stores into the raw layer, and the staging layer over it."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from conftest import STORE

from graphlets import mlmd_schema
from graphlets.ingest import IngestError, ingest_files, ingest_sqlite


def _sqlite_rows(table: str) -> list[tuple]:
    with sqlite3.connect(STORE) as con:
        columns = ", ".join(f"`{c}`" for c in mlmd_schema.column_names(table))
        return con.execute(f"SELECT {columns} FROM `{table}` ORDER BY rowid").fetchall()


def test_sqlite_ingest_copies_every_table_in_rowid_order(tmp_path):
    summary = ingest_sqlite(STORE, tmp_path / "raw")
    assert summary.schema_version == 10
    for table in mlmd_schema.TABLES:
        parquet = pq.read_table(tmp_path / "raw" / f"{table}.parquet")
        assert parquet.column_names == mlmd_schema.column_names(table)
        expected = _sqlite_rows(table)
        got = [tuple(row.values()) for row in parquet.to_pylist()]
        if table.endswith("Property"):
            # proto values are base64 text stored in a BLOB column
            got = [
                tuple(v.encode() if isinstance(v, str) and i == 7 else v for i, v in enumerate(row))
                for row in got
            ]
        assert got == expected, table
        assert summary.rows_by_table[table] == len(expected)


def test_staged_counts_match_the_store(warehouse, truth):
    counts = dict(
        warehouse.execute(
            "select source_table, staged_rows from marts.rpt_raw_reconciliation"
        ).fetchall()
    )
    for table in mlmd_schema.TABLES:
        assert counts[table] == len(_sqlite_rows(table)), table
    assert counts["Execution"] == truth["fleet"]["executions"]
    assert counts["Artifact"] == truth["fleet"]["artifacts"]
    quarantined = warehouse.execute("select count(*) from marts.fct_quarantined_rows").fetchone()
    assert quarantined[0] == 0


def test_staging_decodes_enums_and_folds_paths(warehouse, truth):
    states = dict(
        warehouse.execute("select execution_id, state from staging.stg_mlmd__executions").fetchall()
    )
    assert states == {e["id"]: e["state"] for e in truth["executions"]}
    # Keys fold in SQLite's rowid order, one list per event.
    with sqlite3.connect(STORE) as con:
        expected: dict[int, list[str]] = {}
        for event_id, key in con.execute(
            "SELECT event_id, step_key FROM EventPath WHERE is_index_step = 0 ORDER BY rowid"
        ):
            expected.setdefault(event_id, []).append(key)
    got = dict(
        warehouse.execute(
            "select event_id, event_keys from staging.stg_mlmd__event_paths"
        ).fetchall()
    )
    assert got == expected
    directions = dict(
        warehouse.execute(
            "select event_type, any_value(event_direction) from staging.stg_mlmd__events group by 1"
        ).fetchall()
    )
    assert directions["INPUT"] == "input"
    assert directions["OUTPUT"] == "output"
    assert directions["INTERNAL_OUTPUT"] == "output"


def test_typed_property_wins_over_custom(warehouse):
    with sqlite3.connect(STORE) as con:
        both = con.execute(
            "SELECT artifact_id, name FROM ArtifactProperty GROUP BY 1, 2 "
            "HAVING count(DISTINCT is_custom_property) = 2"
        ).fetchall()
    assert both, "TFX writes span both typed and custom"
    for artifact_id, name in both:
        custom = warehouse.execute(
            "select is_custom_property from intermediate.int_artifact_properties_resolved "
            "where artifact_id = ? and property_name = ?",
            [artifact_id, name],
        ).fetchone()[0]
        assert custom is False


def test_old_schema_version_fills_missing_columns(tmp_path):
    old = tmp_path / "v9.sqlite"
    shutil.copy(STORE, old)
    with sqlite3.connect(old) as con:
        for table in ("ArtifactProperty", "ExecutionProperty", "ContextProperty"):
            con.execute(f"ALTER TABLE `{table}` DROP COLUMN `bool_value`")
            con.execute(f"ALTER TABLE `{table}` DROP COLUMN `proto_value`")
        con.execute("UPDATE MLMDEnv SET schema_version = 9")
    summary = ingest_sqlite(old, tmp_path / "raw")
    assert summary.schema_version == 9
    assert summary.filled_columns["ArtifactProperty"] == ["proto_value", "bool_value"]
    table = pq.read_table(tmp_path / "raw" / "ArtifactProperty.parquet")
    assert table.column("bool_value").null_count == table.num_rows


def test_too_old_store_is_refused_clearly(tmp_path):
    old = tmp_path / "v5.sqlite"
    shutil.copy(STORE, old)
    with sqlite3.connect(old) as con:
        con.execute("UPDATE MLMDEnv SET schema_version = 5")
    with pytest.raises(IngestError, match="schema version 5 is not supported"):
        ingest_sqlite(old, tmp_path / "raw")
    assert not (tmp_path / "raw").exists()


def test_not_a_store_is_refused_clearly(tmp_path):
    bogus = tmp_path / "bogus.sqlite"
    with sqlite3.connect(bogus) as con:
        con.execute("CREATE TABLE Type (id INTEGER)")
    with pytest.raises(IngestError, match="missing table"):
        ingest_sqlite(bogus, tmp_path / "raw")


def _export(store_raw: Path, folder: Path, fmt: str) -> None:
    folder.mkdir()
    with duckdb.connect() as con:
        for table in mlmd_schema.TABLES:
            source = store_raw / f"{table}.parquet"
            target = folder / f"{table}.{fmt}"
            con.execute(
                f"COPY (SELECT * FROM read_parquet('{source}')) TO '{target}' "
                f"(FORMAT {'csv, HEADER' if fmt == 'csv' else 'parquet'})"
            )


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_files_ingest_round_trips(tmp_path, fmt):
    ingest_sqlite(STORE, tmp_path / "from_sqlite")
    _export(tmp_path / "from_sqlite", tmp_path / "export", fmt)
    summary = ingest_files(tmp_path / "export", tmp_path / "raw")
    for table in mlmd_schema.TABLES:
        expected = pq.read_table(tmp_path / "from_sqlite" / f"{table}.parquet")
        got = pq.read_table(tmp_path / "raw" / f"{table}.parquet")
        assert [(f.name, f.type) for f in got.schema] == [(f.name, f.type) for f in expected.schema]
        assert got.to_pylist() == expected.to_pylist(), table
    assert summary.rows_by_table["EventPath"] == 674


def test_files_ingest_names_the_wrong_file_and_column(tmp_path):
    ingest_sqlite(STORE, tmp_path / "from_sqlite")
    _export(tmp_path / "from_sqlite", tmp_path / "export", "csv")
    event = tmp_path / "export" / "Event.csv"
    text = event.read_text().splitlines()
    text[0] = text[0].replace("execution_id", "execution")
    event.write_text("\n".join(text) + "\n")
    with pytest.raises(IngestError) as error:
        ingest_files(tmp_path / "export", tmp_path / "raw")
    assert "Event.csv" in str(error.value)
    assert "execution" in str(error.value)


def test_files_ingest_reports_a_value_of_the_wrong_type(tmp_path):
    ingest_sqlite(STORE, tmp_path / "from_sqlite")
    _export(tmp_path / "from_sqlite", tmp_path / "export", "csv")
    execution = tmp_path / "export" / "Execution.csv"
    lines = execution.read_text().splitlines()
    fields = lines[1].split(",")
    fields[2] = "done"  # last_known_state must be an integer
    lines[1] = ",".join(fields)
    execution.write_text("\n".join(lines) + "\n")
    with pytest.raises(IngestError, match=r"Execution.csv: column last_known_state .*'done'"):
        ingest_files(tmp_path / "export", tmp_path / "raw")


def test_files_ingest_needs_the_core_tables(tmp_path):
    (tmp_path / "export").mkdir()
    with pytest.raises(IngestError, match="no export for table"):
        ingest_files(tmp_path / "export", tmp_path / "raw")


def test_sqlite_value_of_the_wrong_type_is_named(tmp_path):
    store = tmp_path / "typo.sqlite"
    shutil.copy(STORE, store)
    with sqlite3.connect(store) as con:
        con.execute("UPDATE Execution SET last_known_state = 'done' WHERE id = 3")
    with pytest.raises(IngestError, match="table Execution, column last_known_state: .*'done'"):
        ingest_sqlite(store, tmp_path / "raw")
    assert not (tmp_path / "raw").exists()


def test_schema_version_after_10_is_refused_with_the_versions_supported(tmp_path):
    store = tmp_path / "v99.sqlite"
    shutil.copy(STORE, store)
    with sqlite3.connect(store) as con:
        con.execute("UPDATE MLMDEnv SET schema_version = 99")
    with pytest.raises(IngestError) as error:
        ingest_sqlite(store, tmp_path / "raw")
    assert str(error.value) == (
        f"{store}: MLMD schema version 99 is not supported; versions 6 to 10 are supported"
    )
    assert not (tmp_path / "raw").exists()


def test_a_missing_mlmdenv_is_named(tmp_path):
    store = tmp_path / "no_env.sqlite"
    shutil.copy(STORE, store)
    with sqlite3.connect(store) as con:
        con.execute("DROP TABLE MLMDEnv")
    with pytest.raises(IngestError) as error:
        ingest_sqlite(store, tmp_path / "raw")
    assert str(error.value) == (
        f"{store}: no MLMDEnv table, so the MLMD schema version is unknown; "
        "versions 6 to 10 are supported"
    )


def test_a_directory_given_as_a_store_is_named_as_one(tmp_path):
    with pytest.raises(IngestError) as error:
        ingest_sqlite(tmp_path, tmp_path / "raw")
    assert str(error.value) == f"{tmp_path}: is a directory, not an MLMD SQLite store file"


def test_sqlite_fraction_in_an_integer_column_is_named(tmp_path):
    store = tmp_path / "fraction.sqlite"
    shutil.copy(STORE, store)
    with sqlite3.connect(store) as con:
        con.execute("UPDATE Execution SET create_time_since_epoch = 1.5 WHERE id = 4")
    with pytest.raises(IngestError) as error:
        ingest_sqlite(store, tmp_path / "raw")
    assert str(error.value) == (
        f"{store}: table Execution, column create_time_since_epoch: expected BIGINT values, "
        "found 1.5"
    )


def _csv_export(tmp_path: Path) -> Path:
    ingest_sqlite(STORE, tmp_path / "from_sqlite")
    _export(tmp_path / "from_sqlite", tmp_path / "export", "csv")
    return tmp_path / "export"


def test_files_ingest_reads_postgresql_csv_booleans(tmp_path):
    export = _csv_export(tmp_path)
    paths = export / "EventPath.csv"
    lines = paths.read_text().splitlines()
    spellings = ["t", "f", "true", "false"]
    rewritten = [lines[0]]
    for number, line in enumerate(lines[1:]):
        fields = line.split(",")
        # t/true for 1, f/false for 0, alternating spellings
        fields[1] = spellings[(number // 2 % 2) * 2 + (0 if fields[1] == "1" else 1)]
        rewritten.append(",".join(fields))
    paths.write_text("\n".join(rewritten) + "\n")
    ingest_files(export, tmp_path / "raw")
    got = pq.read_table(tmp_path / "raw" / "EventPath.parquet").to_pylist()
    expected = pq.read_table(tmp_path / "from_sqlite" / "EventPath.parquet").to_pylist()
    assert got == expected
    assert {line.split(",")[1] for line in rewritten[1:]} == set(spellings)


def test_files_ingest_refuses_a_fraction_in_an_integer_column(tmp_path):
    export = _csv_export(tmp_path)
    event = export / "Event.csv"
    lines = event.read_text().splitlines()
    fields = lines[1].split(",")
    fields[4] = "1704067200000.5"  # milliseconds_since_epoch
    lines[1] = ",".join(fields)
    event.write_text("\n".join(lines) + "\n")
    with pytest.raises(IngestError) as error:
        ingest_files(export, tmp_path / "raw")
    assert str(error.value) == (
        f"{event}: column milliseconds_since_epoch must hold BIGINT values, found '1704067200000.5'"
    )


def test_files_ingest_refuses_a_schema_version_outside_6_to_10(tmp_path):
    export = _csv_export(tmp_path)
    (export / "MLMDEnv.csv").write_text("schema_version\n11\n")
    with pytest.raises(IngestError) as error:
        ingest_files(export, tmp_path / "raw")
    assert str(error.value) == (
        f"{export}: MLMD schema version 11 is not supported; versions 6 to 10 are supported"
    )
    assert not (tmp_path / "raw").exists()


def test_a_file_that_is_not_sqlite_is_named(tmp_path):
    text = tmp_path / "notes.sqlite"
    text.write_text("not a database\n" * 100)
    with pytest.raises(IngestError) as error:
        ingest_sqlite(text, tmp_path / "raw")
    assert str(error.value) == f"{text}: not an SQLite database (file is not a database)"
