"""Live MLMD databases: real MariaDB and PostgreSQL servers, read by URL (issue 10).

One throwaway server of each kind runs for this module (db_servers.py), holding the
bundled real store as the ml-metadata library lays it out in each database.
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
import truth_checks
from conftest import FIXTURES, STORE
from db_servers import PASSWORD, Server, start_mariadb, start_postgres
from typer.testing import CliRunner

from graphlets import mlmd_schema, readers
from graphlets.cli import app
from graphlets.dbt_runner import run_dbt
from graphlets.ingest import IngestError, ingest_mlmd, ingest_sqlite
from graphlets.paths import DataDir
from graphlets.simulate import simulate

DUMPS = {
    "mysql": FIXTURES / "mlmd" / "tfx_small.mysql.sql",
    "postgresql": FIXTURES / "mlmd" / "tfx_small.postgresql.sql",
}
KINDS = ["mysql", "postgresql"]
TRUTH_MARTS = (
    "fct_graphlet_members",
    "fct_graphlets",
    "fct_graphlet_external_inputs",
    "fct_executions",
    "fct_execution_waste",
    "rpt_waste_breakdown",
    "fct_orphan_work",
    "fct_cache_savings",
    "fct_recomputation",
)


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, Server]]:
    started: dict[str, Server] = {}
    try:
        started["mysql"] = start_mariadb()
        started["postgresql"] = start_postgres()
        for server in started.values():
            server.load("tfx_small", DUMPS[server.scheme])
        yield started
    finally:
        for server in started.values():
            server.stop()


@pytest.fixture(scope="module")
def sqlite_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("sqlite") / "raw"
    ingest_sqlite(STORE, raw)
    return raw


def _rows(raw: Path, table: str) -> list[tuple]:
    return [tuple(row.values()) for row in pq.read_table(raw / f"{table}.parquet").to_pylist()]


def assert_same_raw_layer(got: Path, expected: Path) -> None:
    """The same rows in every table (types included); EventPath in the same order.

    Only EventPath's order means something (its step order); the other tables' order is
    the database's, keyed by their primary keys.
    """
    for table in mlmd_schema.TABLES:
        got_table = pq.read_table(got / f"{table}.parquet")
        assert got_table.schema == pq.read_table(expected / f"{table}.parquet").schema, table
        got_rows, expected_rows = _rows(got, table), _rows(expected, table)
        if table != "EventPath":
            got_rows, expected_rows = sorted(got_rows, key=repr), sorted(expected_rows, key=repr)
        assert got_rows == expected_rows, table


@pytest.mark.parametrize("kind", KINDS)
def test_fixture_dump_gives_the_sqlite_raw_layer(servers, sqlite_raw, tmp_path, kind):
    summary = ingest_mlmd(servers[kind].url("tfx_small"), tmp_path / "raw")
    assert summary.schema_version == 10
    assert summary.rows_by_table["EventPath"] == 674
    assert PASSWORD not in summary.source
    assert_same_raw_layer(tmp_path / "raw", sqlite_raw)


@pytest.mark.parametrize("kind", KINDS)
def test_marts_from_each_database_match_the_truth(servers, truth, tmp_path, kind):
    data = DataDir(tmp_path)
    ingest_mlmd(servers[kind].url("tfx_small"), data.raw)
    # The marts the truth file speaks of, and their parents; the data tests already run
    # on the same raw layer from SQLite (test_truth_fixture.py).
    result = run_dbt(
        data,
        "build",
        "--select",
        *(f"+{mart}" for mart in TRUTH_MARTS),
        "--resource-type",
        "model",
        "--resource-type",
        "seed",
    )
    assert result.success, [f"{n.name}: {n.message}" for n in result.failures]
    with duckdb.connect(str(data.warehouse), read_only=True) as warehouse:
        truth_checks.check_graphlet_members(warehouse, truth)
        truth_checks.check_graphlet_attributes(warehouse, truth)
        truth_checks.check_external_inputs(warehouse, truth)
        truth_checks.check_executions(warehouse, truth)
        for breakdown, key in truth_checks.BREAKDOWNS:
            truth_checks.check_waste_breakdown(warehouse, truth, breakdown, key)
        truth_checks.check_fleet_totals(warehouse, truth)
        truth_checks.check_recomputation(warehouse, truth)


@pytest.fixture(scope="module")
def fleet_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("fleet") / "fleet.sqlite"
    simulate(store, preset="tiny", seed=3, fmt="sqlite")
    return store


@pytest.mark.parametrize("kind", KINDS)
def test_simulated_fleet_in_each_database_gives_its_sqlite_raw_layer(
    servers, fleet_store, tmp_path, kind
):
    rows = servers[kind].load_store("fleet", fleet_store, DUMPS[kind])
    ingest_sqlite(fleet_store, tmp_path / "from_sqlite")
    summary = ingest_mlmd(servers[kind].url("fleet"), tmp_path / "raw")
    assert summary.rows_total == rows > 1_000
    assert_same_raw_layer(tmp_path / "raw", tmp_path / "from_sqlite")


def _append_runs(server: Server, database: str, stop: threading.Event, done: list[int]) -> None:
    """Keep recording runs, each one transaction: an execution, its event and path, its
    association, and a bump of the execution's update time."""
    run = 0
    while not stop.is_set():
        run += 1
        execution = 1_000_000 + run
        ms = 1_800_000_000_000 + run
        if server.scheme == "mysql":
            begin, commit, t = "START TRANSACTION;", "COMMIT;", "`"
            true = "1"
        else:
            begin, commit, t = "BEGIN;", "COMMIT;", ""
            true = "true"

        def name(table: str, quote: str = t) -> str:
            return f"{quote}{table if server.scheme == 'mysql' else table.lower()}{quote}"

        server.sql(
            f"{begin}"
            f"INSERT INTO {name('Execution')} (id, type_id, last_known_state, "
            f"create_time_since_epoch, last_update_time_since_epoch) "
            f"SELECT {execution}, type_id, 3, {ms}, {ms} FROM {name('Execution')} WHERE id = 1;"
            f"INSERT INTO {name('Event')} (id, artifact_id, execution_id, type, "
            f"milliseconds_since_epoch) VALUES ({execution}, 1, {execution}, 3, {ms});"
            f"INSERT INTO {name('EventPath')} (event_id, is_index_step, step_key) "
            f"VALUES ({execution}, {'0' if true == '1' else 'false'}, 'examples');"
            f"INSERT INTO {name('Association')} (id, context_id, execution_id) "
            f"VALUES ({execution}, 1, {execution});"
            f"{commit}",
            database,
        )
        done[0] = run


@pytest.mark.parametrize("kind", KINDS)
def test_ingest_reads_one_snapshot_while_a_writer_appends(servers, tmp_path, kind):
    server = servers[kind]
    server.load("live", DUMPS[kind])
    stop, done = threading.Event(), [0]
    writer = threading.Thread(target=_append_runs, args=(server, "live", stop, done))
    writer.start()
    try:
        snapshots = []
        for attempt in range(8):
            raw = tmp_path / f"raw{attempt}"
            ingest_mlmd(server.url("live"), raw)
            snapshots.append(raw)
    finally:
        stop.set()
        writer.join()
    assert done[0] > 0, "the writer recorded no run"
    counts = set()
    for raw in snapshots:
        with duckdb.connect() as con:

            def ids(table: str, column: str, raw: Path = raw) -> set[int]:
                rows = con.execute(f"SELECT {column} FROM '{raw}/{table}.parquet'").fetchall()
                return {row[0] for row in rows}

            executions, events = ids("Execution", "id"), ids("Event", "id")
            assert ids("Event", "execution_id") <= executions
            assert ids("EventPath", "event_id") <= events
            assert ids("Association", "execution_id") <= executions
            new = {e for e in executions if e > 1_000_000}
            assert {e for e in events if e > 1_000_000} == new
            counts.add(len(new))
    assert len(counts) > 1, "every ingest saw the same store: the writer never overlapped"


# --------------------------------------------------------------------------- bad input


def _previous_raw_layer(tmp_path: Path) -> tuple[Path, str]:
    raw = tmp_path / "raw"
    ingest_sqlite(STORE, raw)
    return raw, _digest(raw)


def _digest(raw: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(raw.iterdir()):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def _refused(url: str, raw: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["ingest", "mlmd", url, "--data-dir", str(raw.parent), *args])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize("kind", KINDS)
def test_wrong_password_is_one_line_and_keeps_the_raw_layer(servers, tmp_path, kind):
    raw, before = _previous_raw_layer(tmp_path)
    url = servers[kind].url("tfx_small", password="not-the-password")
    server = servers[kind]
    assert _refused(url, raw) == (
        f"error: {kind}://graphlets@127.0.0.1:{server.port}/tfx_small: "
        "access denied for user graphlets (wrong user or password)"
    )
    assert _digest(raw) == before


@pytest.mark.parametrize("kind", KINDS)
def test_unknown_database_is_named(servers, tmp_path, kind):
    raw, before = _previous_raw_layer(tmp_path)
    port = servers[kind].port
    # MySQL answers a database the user may not see like one that does not exist.
    may_read = " that user graphlets may read" if kind == "mysql" else ""
    assert _refused(servers[kind].url("nosuchdb"), raw) == (
        f"error: {kind}://graphlets@127.0.0.1:{port}/nosuchdb: "
        f"no database named nosuchdb on 127.0.0.1:{port}{may_read}"
    )
    assert _digest(raw) == before


@pytest.mark.parametrize("kind", KINDS)
def test_a_host_that_does_not_answer_times_out(tmp_path, kind):
    raw, before = _previous_raw_layer(tmp_path)
    with socket.socket() as silent:  # listens, never accepts, never speaks
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        port = silent.getsockname()[1]
        url = f"{kind}://someone:pw@127.0.0.1:{port}/mlmd"
        assert _refused(url, raw, "--connect-timeout", "1") == (
            f"error: {kind}://someone@127.0.0.1:{port}/mlmd: "
            f"127.0.0.1:{port} did not answer within 1 s (--connect-timeout)"
        )
    assert _digest(raw) == before


@pytest.mark.parametrize("kind", KINDS)
def test_a_database_that_is_not_mlmd_names_the_missing_tables(servers, tmp_path, kind):
    raw, before = _previous_raw_layer(tmp_path)
    servers[kind].create_database("notmlmd")
    line = _refused(servers[kind].url("notmlmd"), raw)
    assert line.endswith(
        "/notmlmd: not an MLMD store, missing table(s) Type, Artifact, Execution, Event, EventPath"
    )
    assert _digest(raw) == before


@pytest.mark.parametrize("kind", KINDS)
def test_schema_version_outside_6_to_10_is_refused(servers, tmp_path, kind):
    raw, before = _previous_raw_layer(tmp_path)
    server = servers[kind]
    server.load("future", DUMPS[kind])
    table = "`MLMDEnv`" if kind == "mysql" else "mlmdenv"
    server.sql(f"UPDATE {table} SET schema_version = 99;", "future")
    assert _refused(server.url("future"), raw).endswith(
        "/future: MLMD schema version 99 is not supported; versions 6 to 10 are supported"
    )
    assert _digest(raw) == before


@pytest.mark.parametrize("kind", KINDS)
def test_server_killed_mid_read_keeps_the_raw_layer(fleet_store, tmp_path, monkeypatch, kind):
    raw, before = _previous_raw_layer(tmp_path)
    siblings = sorted(p.name for p in raw.parent.iterdir())
    server = start_mariadb() if kind == "mysql" else start_postgres()  # this one is killed
    try:
        server.load_store("fleet", fleet_store, DUMPS[kind])
        monkeypatch.setattr(readers, "BATCH_ROWS", 50)  # many batches: the kill lands mid-read

        def kill_server(table: str, rows: int) -> None:
            if server.process.poll() is None:  # at the first batch written
                os.killpg(server.process.pid, signal.SIGKILL)  # the server and its backends
                server.process.wait()

        with pytest.raises(IngestError) as error:
            ingest_mlmd(server.url("fleet"), raw, progress=kill_server)
    finally:
        server.stop()
    assert "failed" in str(error.value) and "\n" not in str(error.value)
    assert PASSWORD not in str(error.value)
    assert _digest(raw) == before
    assert sorted(p.name for p in raw.parent.iterdir()) == siblings  # no version left over


# --------------------------------------------------------------------------- passwords


@pytest.mark.parametrize("kind", KINDS)
def test_password_from_the_environment_is_used_and_never_written(
    servers, tmp_path, monkeypatch, kind
):
    monkeypatch.setenv("GRAPHLETS_MLMD_PASSWORD", PASSWORD)
    data = DataDir(tmp_path / "data")
    result = CliRunner().invoke(
        app,
        [
            "ingest",
            "mlmd",
            servers[kind].url("tfx_small", password=None),
            "--data-dir",
            str(data.root),
        ],
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    for path in data.root.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path


def test_password_from_the_clients_own_files(servers, tmp_path, monkeypatch):
    monkeypatch.delenv("GRAPHLETS_MLMD_PASSWORD", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".my.cnf").write_text(f"[client]\npassword={PASSWORD}\n")
    pgpass = tmp_path / ".pgpass"
    pgpass.write_text(f"127.0.0.1:{servers['postgresql'].port}:tfx_small:graphlets:{PASSWORD}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))  # libpq finds ~ by the passwd entry
    for kind in KINDS:
        summary = ingest_mlmd(servers[kind].url("tfx_small", password=None), tmp_path / kind)
        assert summary.rows_by_table["Event"] == 337


def test_help_shows_all_three_url_forms():
    result = CliRunner().invoke(app, ["ingest", "mlmd", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for form in (
        "mysql://user@host:3306/db",
        "postgresql://user@host:5432/db",
        "SQLite",
        "sqlite:///path",
        "--connect-timeout",
        "GRAPHLETS_MLMD_PASSWORD",
    ):
        assert form in result.output, form
