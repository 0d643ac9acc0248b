"""Throwaway MariaDB and PostgreSQL servers on loopback, each in its own temporary folder.

Used by the tests (one server of each per session) and by benchmarks/bench_ingest.py.
The Debian packages `mariadb-server` and `postgresql` must be installed (`.ci/run` and
`make test` do it, see scripts/ensure_db_servers.sh). PostgreSQL refuses to run as root,
so as root its folder belongs to, and its programs run as, the `postgres` user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from graphlets import mlmd_schema

USER = "graphlets"
PASSWORD = "graphlets-test-secret"
POSTGRES_ARROW_TYPES = {
    "integer": pa.int32(),
    "smallint": pa.int16(),
    "bigint": pa.int64(),
    "boolean": pa.bool_(),
    "bytea": pa.binary(),
    "text": pa.string(),
    "character varying": pa.string(),
    "double precision": pa.float64(),
}
PG_BIN = Path("/usr/lib/postgresql")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited on start:\n{log.read_text()[-2000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server did not listen on {port} within {seconds} s")


@dataclass
class Server:
    """One running server; `url(db)` is what `graphlets ingest mlmd` takes."""

    scheme: str
    port: int
    folder: Path
    process: subprocess.Popen
    admin: list[str] = field(default_factory=list)  # client command line as superuser
    admin_database: str | None = None  # where `sql` runs when given no database
    run_as: str | None = None  # the OS user the server and its client run as

    def url(self, database: str, password: str | None = PASSWORD) -> str:
        secret = f":{password}" if password else ""
        return f"{self.scheme}://{USER}{secret}@127.0.0.1:{self.port}/{database}"

    def sql(self, statements: str, database: str | None = None) -> str:
        """Run SQL as the superuser with the server's own client; returns its output."""
        database = database or self.admin_database
        command = [*self.admin, *([database] if database else [])]
        done = subprocess.run(
            command,
            input=statements,
            capture_output=True,
            text=True,
            check=False,
            user=self.run_as,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()}")
        return done.stdout

    def load(self, database: str, dump: Path) -> None:
        """A fresh database holding `dump` (that server's own dump format)."""
        self.create_database(database)
        self.sql(dump.read_text(), database)
        if self.scheme == "postgresql":
            self.sql(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {USER};", database)

    def create_database(self, database: str) -> None:
        if self.scheme == "mysql":
            self.sql(
                f"DROP DATABASE IF EXISTS `{database}`; CREATE DATABASE `{database}`; "
                f"GRANT ALL ON `{database}`.* TO '{USER}'@'127.0.0.1';"
            )
        else:
            self.sql(
                f'DROP DATABASE IF EXISTS "{database}"; CREATE DATABASE "{database}" OWNER {USER};'
            )

    def load_store(self, database: str, store: Path, schema_dump: Path) -> int:
        """A fresh database with MLMD's tables (from `schema_dump`) holding an SQLite store."""
        self.load(database, schema_dump)
        tables = list(mlmd_schema.TABLES)
        if self.scheme == "mysql":
            self.sql("".join(f"TRUNCATE TABLE `{t}`;" for t in tables), database)
        else:
            self.sql(f"TRUNCATE {', '.join(t.lower() for t in tables)};", database)
        rows = 0
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as source:
            for table in tables:
                rows += self._copy_table(source, database, table)
        return rows

    def _copy_table(self, source: sqlite3.Connection, database: str, table: str) -> int:
        columns = mlmd_schema.column_names(table)
        cursor = source.execute(f"SELECT {', '.join(columns)} FROM `{table}` ORDER BY rowid")
        copy = self._copy_mysql if self.scheme == "mysql" else self._copy_postgres
        return copy(cursor, database, table, columns)

    def _copy_mysql(
        self, cursor: sqlite3.Cursor, database: str, table: str, columns: list[str]
    ) -> int:
        import pymysql

        target = pymysql.connect(
            host="127.0.0.1", port=self.port, user=USER, password=PASSWORD, database=database
        )
        insert = (
            f"INSERT INTO `{table}` ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})"
        )
        count = 0
        with target, target.cursor() as out:
            while rows := cursor.fetchmany(50_000):
                out.executemany(insert, rows)
                count += len(rows)
            target.commit()
        return count

    def _copy_postgres(
        self, cursor: sqlite3.Cursor, database: str, table: str, columns: list[str]
    ) -> int:
        """Binary COPY through ADBC; PostgreSQL's INT and boolean columns typed to match."""
        import adbc_driver_postgresql.dbapi as adbc

        count = 0
        with adbc.connect(self.url(database)) as target, target.cursor() as out:
            out.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                f"WHERE table_name = '{table.lower()}'"
            )
            types = {name: POSTGRES_ARROW_TYPES[kind] for name, kind in out.fetchall()}
            while rows := cursor.fetchmany(200_000):
                batch = pa.table(
                    {
                        name: pa.array(
                            [
                                v
                                if v is None or name not in mlmd_schema.BOOLEAN_COLUMNS
                                else bool(v)
                                for v in values
                            ],
                            type=types[name],
                        )
                        for name, values in zip(columns, zip(*rows, strict=True), strict=True)
                    }
                )
                out.adbc_ingest(table.lower(), batch, mode="append")
                count += len(rows)
            target.commit()
        return count

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _pg_bindir() -> Path:
    versions = sorted(PG_BIN.glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not versions:
        raise RuntimeError("PostgreSQL is not installed (Debian package postgresql)")
    return versions[-1].parent


def start_postgres() -> Server:
    """initdb + postgres on a free loopback port; a password-checked user `graphlets`."""
    folder = Path(tempfile.mkdtemp(prefix="graphlets-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    data, log, port = folder / "data", folder / "server.log", _free_port()
    bindir = _pg_bindir()
    run_as = "postgres" if os.geteuid() == 0 else None
    subprocess.run(
        [
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--no-sync",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
        user=run_as,
    )
    with open(log, "w") as out:
        process = subprocess.Popen(
            [
                str(bindir / "postgres"),
                "-D",
                str(data),
                "-p",
                str(port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={folder}",
                "-c",
                "fsync=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "shared_buffers=64MB",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=run_as,
        )
    _wait_for_port(port, process, log)
    admin = [
        str(bindir / "psql"),
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        str(folder),
        "-p",
        str(port),
        "-U",
        "postgres",
        "-d",
    ]
    server = Server("postgresql", port, folder, process, admin, "postgres", run_as)
    _retry(lambda: server.sql(f"CREATE ROLE {USER} LOGIN PASSWORD '{PASSWORD}';"))
    return server


def start_mariadb() -> Server:
    """mariadb-install-db + mariadbd on a free loopback port; user `graphlets` by password."""
    folder = Path(tempfile.mkdtemp(prefix="graphlets-mariadb-"))
    data, log, sock, port = folder / "data", folder / "server.log", folder / "sock", _free_port()
    user = pwd.getpwuid(os.geteuid()).pw_name
    subprocess.run(
        [
            "mariadb-install-db",
            "--no-defaults",
            f"--datadir={data}",
            f"--user={user}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
        ],
        check=True,
        capture_output=True,
    )
    with open(log, "w") as out:
        process = subprocess.Popen(
            [
                "mariadbd",
                "--no-defaults",
                f"--datadir={data}",
                f"--socket={sock}",
                f"--port={port}",
                "--bind-address=127.0.0.1",
                f"--user={user}",
                "--skip-name-resolve",
                "--skip-log-bin",
                "--innodb-buffer-pool-size=128M",
                "--innodb-flush-log-at-trx-commit=0",
                "--innodb-doublewrite=0",
                f"--pid-file={folder / 'server.pid'}",
                f"--log-error={log}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _wait_for_port(port, process, log)
    admin = ["mariadb", "--no-defaults", f"--socket={sock}", "-uroot", "--batch"]
    server = Server("mysql", port, folder, process, admin)
    _retry(lambda: server.sql(f"CREATE USER '{USER}'@'127.0.0.1' IDENTIFIED BY '{PASSWORD}';"))
    return server


def _retry(action: Callable[[], object], attempts: int = 50) -> None:
    for attempt in range(attempts):
        try:
            action()
            return
        except RuntimeError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.2)
