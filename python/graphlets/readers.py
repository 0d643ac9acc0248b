"""Arrow readers of MLMD stores, one per database, each reading one consistent snapshot.

Picked by measurement (benchmarks/bench_ingest.py, docs/benchmarks.md):
- SQLite and PostgreSQL: the ADBC drivers (Arrow record batches; PostgreSQL's over
  binary COPY), every table read inside one read-only transaction (PostgreSQL at
  REPEATABLE READ).
- MySQL/MariaDB: connectorx (Arrow, 6x a DB-API driver). It opens a connection per
  query, so a consistent snapshot is one statement: all tables as one UNION ALL into
  typed slot columns, run as a REPEATABLE READ, READ ONLY transaction. InnoDB reads a
  statement from one snapshot, and streams it in batches.

Every reader hands back batches whose columns are MLMD's column names (absent columns
as NULL), table after table; `ingest.conform` casts them to the raw layer's types.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any, Protocol
from urllib.parse import quote

import pyarrow as pa
import pyarrow.compute as pc

from graphlets import mlmd_schema
from graphlets.errors import GraphletsError
from graphlets.store_url import StoreUrl

BATCH_ROWS = 100_000
_MLMD_NAMES = {table.lower(): table for table in mlmd_schema.TABLES}


class ReaderError(GraphletsError):
    """The store cannot be reached or read; one line saying why (never the password)."""


class Reader(Protocol):
    def columns(self) -> dict[str, list[str]]:
        """MLMD table -> the MLMD columns this store has (tables it lacks are absent)."""
        ...

    def schema_version(self) -> int | None: ...

    def read(self, plan: dict[str, list[str]]) -> Iterator[tuple[str, pa.RecordBatch]]:
        """(MLMD table, batch) for every table of `plan`, table after table."""
        ...


@contextmanager
def open_reader(url: StoreUrl, connect_timeout: float) -> Iterator[Reader]:
    opened: _SqliteReader | _PostgresReader | _MysqlReader
    if url.kind == "sqlite":
        opened = _SqliteReader(url)
    elif url.kind == "postgresql":
        _probe(url, connect_timeout)
        opened = _PostgresReader(url, connect_timeout)
    else:
        _probe(url, connect_timeout)
        opened = _MysqlReader(url, connect_timeout)
    try:
        yield opened
    finally:
        opened.close()


# --------------------------------------------------------------------------- helpers


def _probe(url: StoreUrl, timeout: float) -> None:
    """Fail fast, in one line, when the server is not there or does not answer."""
    where = f"{url.host}:{url.port}"
    try:
        with socket.create_connection((url.host, url.port), timeout=timeout) as sock:
            if url.kind == "mysql":  # a MySQL server greets first; a silent one hangs
                sock.settimeout(timeout)
                if not sock.recv(1):
                    raise ReaderError(f"{where} closed the connection without a greeting")
    except TimeoutError:
        raise ReaderError(_no_answer(where, timeout)) from None
    except socket.gaierror:
        raise ReaderError(f"unknown host {url.host}") from None
    except OSError as error:
        raise ReaderError(f"cannot reach {where}: {error.strerror or error}") from None


def _no_answer(where: str, timeout: float) -> str:
    return f"{where} did not answer within {timeout:g} s (--connect-timeout)"


def _describe(url: StoreUrl, error: BaseException, timeout: float = 0.0) -> str:
    """A driver's error as one line a user can act on, with any password masked."""
    text = str(error)
    if url.password:
        text = text.replace(url.password, "***").replace(quote(url.password, safe=""), "***")
    lowered = text.lower()
    if "password authentication failed" in lowered or "access denied" in lowered:
        return f"access denied for user {url.user} (wrong user or password)"
    if ("does not exist" in lowered and "database" in lowered) or "unknown database" in lowered:
        return f"no database named {url.database} on {url.host}:{url.port}"
    if "timeout expired" in lowered:
        return _no_answer(f"{url.host}:{url.port}", timeout)
    first = next((line.strip() for line in text.splitlines() if line.strip()), repr(error))
    return first


def _describe_mysql(url: StoreUrl, error: Exception) -> str:
    code = error.args[0] if error.args else None
    if code == 1044:  # MySQL does not tell a missing database from a forbidden one
        return (
            f"no database named {url.database} on {url.host}:{url.port} "
            f"that user {url.user} may read"
        )
    if code == 1049:
        return f"no database named {url.database} on {url.host}:{url.port}"
    return _describe(url, error)


def _select(table: str, present: dict[str, str], wanted: list[str], quote_name: str) -> str:
    """SELECT of `wanted` MLMD columns (`present`: MLMD name -> the store's spelling)."""
    q = quote_name
    columns = ", ".join(
        f"{q}{present[c]}{q} AS {c}" if c in present else f"NULL AS {c}" for c in wanted
    )
    return f"SELECT {columns} FROM {q}{table}{q}"


def _mlmd_columns(rows: list[tuple[str, str]]) -> dict[str, dict[str, str]]:
    """(store table, store column) rows -> MLMD table -> MLMD column -> store column."""
    found: dict[str, dict[str, str]] = {}
    for table, column in rows:
        name = _MLMD_NAMES.get(str(table).lower())
        if name is None:
            continue
        wanted = {c.lower(): c for c in mlmd_schema.column_names(name)}
        mlmd_column = wanted.get(str(column).lower())
        found.setdefault(name, {})
        if mlmd_column:
            found[name][mlmd_column] = str(column)
    return found


class _Catalog:
    """What the store holds, in its own spelling (MySQL CamelCase, PostgreSQL lower case)."""

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        self.tables = {
            _MLMD_NAMES[str(t).lower()]: str(t) for t, _ in rows if str(t).lower() in _MLMD_NAMES
        }
        self.mapping = _mlmd_columns(rows)

    def columns(self) -> dict[str, list[str]]:
        return {table: list(cols) for table, cols in self.mapping.items()}

    def select(self, table: str, present: list[str], quote_name: str) -> str:
        spelled = {c: self.mapping[table][c] for c in present}
        return _select(self.tables[table], spelled, mlmd_schema.column_names(table), quote_name)


# --------------------------------------------------------------------------- SQLite


class _SqliteReader:
    def __init__(self, url: StoreUrl) -> None:
        import adbc_driver_sqlite.dbapi as adbc

        assert url.path is not None
        self.url = url
        if url.path.is_dir():
            raise ReaderError("is a directory, not an MLMD SQLite store file")
        if not url.path.is_file():
            raise ReaderError("no such file")
        uri = f"file:{quote(str(url.path.resolve()))}?mode=ro"
        # autocommit off: every read below runs in one transaction, one snapshot.
        self.con: Any = adbc.connect(uri)
        try:
            self.catalog = _Catalog(
                self._rows(
                    "SELECT m.name, p.name FROM sqlite_master m "
                    "JOIN pragma_table_info(m.name) p WHERE m.type = 'table'"
                )
            )
        except Exception as error:
            self.close()
            reason = _describe(url, error).rsplit(": ", 1)[-1]  # past the driver's prefixes
            raise ReaderError(f"not an SQLite database ({reason})") from None

    def _rows(self, query: str) -> list[tuple[Any, ...]]:
        with self.con.cursor() as cursor:
            cursor.execute(query)
            return cursor.fetchall()

    def columns(self) -> dict[str, list[str]]:
        return self.catalog.columns()

    def schema_version(self) -> int | None:
        table = self.catalog.tables["MLMDEnv"]
        return self._rows(f'SELECT max(schema_version) FROM "{table}"')[0][0]

    def read(self, plan: dict[str, list[str]]) -> Iterator[tuple[str, pa.RecordBatch]]:
        for table, present in plan.items():
            if not present:
                continue
            # EventPath has no order column: SQLite's rowid order is the step order.
            query = self.catalog.select(table, present, '"') + " ORDER BY rowid"
            with self.con.cursor() as cursor:
                cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": "65536"})
                cursor.execute(query)
                for batch in cursor.fetch_record_batch():
                    yield table, batch

    def close(self) -> None:
        self.con.close()


# --------------------------------------------------------------------------- PostgreSQL


class _PostgresReader:
    def __init__(self, url: StoreUrl, connect_timeout: float) -> None:
        import adbc_driver_postgresql.dbapi as adbc

        self.url = url
        secret = f":{quote(url.password, safe='')}" if url.password else ""
        uri = (
            f"postgresql://{quote(url.user, safe='')}{secret}@{url.host}:{url.port}/"
            f"{quote(url.database, safe='')}?connect_timeout={max(1, round(connect_timeout))}"
            "&application_name=graphlets"
        )
        try:
            self.con: Any = adbc.connect(uri, autocommit=True)
        except Exception as error:
            raise ReaderError(_describe(url, error, connect_timeout)) from None
        try:
            # A scan that joins one already running would start mid-table; EventPath's
            # row order is its step order.
            self._execute("SET synchronize_seqscans = off")
            self._execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            self.catalog = _Catalog(
                self._rows(
                    "SELECT table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema()"
                )
            )
        except Exception as error:
            self.close()
            raise ReaderError(_describe(url, error)) from None

    def _execute(self, statement: str) -> None:
        with self.con.cursor() as cursor:
            cursor.execute(statement)

    def _rows(self, query: str) -> list[tuple[Any, ...]]:
        with self.con.cursor() as cursor:
            cursor.execute(query)
            return cursor.fetchall()

    def columns(self) -> dict[str, list[str]]:
        return self.catalog.columns()

    def schema_version(self) -> int | None:
        table = self.catalog.tables["MLMDEnv"]
        return self._rows(f'SELECT max(schema_version) FROM "{table}"')[0][0]

    def read(self, plan: dict[str, list[str]]) -> Iterator[tuple[str, pa.RecordBatch]]:
        for table, present in plan.items():
            if not present:
                continue
            query = self.catalog.select(table, present, '"')
            if "id" in present:  # the order SQLite's rowid gives
                query += " ORDER BY id"
            try:
                with self.con.cursor() as cursor:
                    cursor.execute(query)
                    for batch in cursor.fetch_record_batch():
                        yield table, batch
            except Exception as error:  # the drivers' errors share no useful base class
                raise ReaderError(f"reading {table} failed: {_describe(self.url, error)}") from None

    def close(self) -> None:
        with suppress(Exception):  # the connection may be gone already
            self._execute("ROLLBACK")
        with suppress(Exception):
            self.con.close()


# --------------------------------------------------------------------------- MySQL


# Raw-layer type -> how many slot columns of that type the widest table needs.
_SLOT_PREFIX = {"BIGINT": "i", "VARCHAR": "s", "DOUBLE": "d", "BLOB": "b"}


class _MysqlReader:
    def __init__(self, url: StoreUrl, connect_timeout: float) -> None:
        import pymysql

        self.url = url
        secret = f":{quote(url.password, safe='')}" if url.password else ""
        self.uri = (
            f"mysql://{quote(url.user, safe='')}{secret}@{url.host}:{url.port}/"
            f"{quote(url.database, safe='')}"
        )
        # The catalogue is read with PyMySQL: it fails fast and with the server's own
        # error code, where connectorx's pool retries for half a minute.
        try:
            self.con: Any = pymysql.connect(
                host=url.host,
                port=url.port,
                user=url.user,
                password=url.password or "",
                database=url.database,
                connect_timeout=max(1, round(connect_timeout)),
            )
        except pymysql.MySQLError as error:
            raise ReaderError(_describe_mysql(url, error)) from None
        self.catalog = _Catalog(
            self._rows(
                "SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS "
                "WHERE TABLE_SCHEMA = DATABASE()"
            )
        )

    def _rows(self, query: str) -> list[tuple[Any, ...]]:
        with self.con.cursor() as cursor:
            cursor.execute(query)
            return list(cursor.fetchall())

    def columns(self) -> dict[str, list[str]]:
        return self.catalog.columns()

    def schema_version(self) -> int | None:
        table = self.catalog.tables["MLMDEnv"]
        return self._rows(f"SELECT MAX(schema_version) FROM `{table}`")[0][0]

    def read(self, plan: dict[str, list[str]]) -> Iterator[tuple[str, pa.RecordBatch]]:
        import connectorx as cx

        tables = [table for table, present in plan.items() if present]
        slots = _slots(tables)
        parts = [
            self._slotted_select(number, table, plan[table], slots)
            for number, table in enumerate(tables)
        ]
        try:
            with _stderr_silenced():  # connectorx's pool logs and panics there on faults
                yield from self._stream(cx, tables, parts)
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException as error:  # connectorx panics (pyo3) when the server goes away
            raise ReaderError(f"reading the tables failed: {_describe(self.url, error)}") from None

    def _stream(
        self, cx: Any, tables: list[str], parts: list[str]
    ) -> Iterator[tuple[str, pa.RecordBatch]]:
        stream = cx.read_sql(
            self.uri,
            " UNION ALL ".join(parts),
            return_type="arrow_stream",
            batch_size=BATCH_ROWS,
            pre_execution_query=[
                "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ",
                "SET SESSION TRANSACTION READ ONLY",
            ],
        )
        for batch in stream:
            yield from _split(batch, tables)

    def _slotted_select(
        self, number: int, table: str, present: list[str], slots: dict[str, int]
    ) -> str:
        spelled = self.catalog.mapping[table]
        by_type: dict[str, list[str]] = {kind: [] for kind in _SLOT_PREFIX}
        for name, kind in mlmd_schema.TABLES[table]:
            by_type[kind].append(f"`{spelled[name]}`" if name in present else "NULL")
        columns = [f"{number} AS t"]
        for kind, prefix in _SLOT_PREFIX.items():
            values = by_type[kind] + ["NULL"] * (slots[kind] - len(by_type[kind]))
            columns += [f"{value} AS {prefix}{i}" for i, value in enumerate(values)]
        return f"SELECT {', '.join(columns)} FROM `{self.catalog.tables[table]}`"

    def close(self) -> None:
        with suppress(Exception):
            self.con.close()


@contextmanager
def _stderr_silenced() -> Iterator[None]:
    """File descriptor 2 sent to /dev/null (Rust code writes there directly)."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _slots(tables: list[str]) -> dict[str, int]:
    """Slot columns per type: as many as the table with the most columns of that type."""
    return {
        kind: max(sum(1 for _, k in mlmd_schema.TABLES[t] if k == kind) for t in tables)
        for kind in _SLOT_PREFIX
    }


def _split(batch: pa.RecordBatch, tables: list[str]) -> Iterator[tuple[str, pa.RecordBatch]]:
    """A batch of the UNION ALL cut back into each table's columns (it arrives in order)."""
    numbers = batch.column("t").cast(pa.int64())
    for number in pc.unique(numbers).to_pylist():
        table = tables[number]
        rows = batch.filter(pc.equal(numbers, number))
        used: dict[str, int] = dict.fromkeys(_SLOT_PREFIX, 0)
        arrays, names = [], []
        for name, kind in mlmd_schema.TABLES[table]:
            arrays.append(rows.column(f"{_SLOT_PREFIX[kind]}{used[kind]}"))
            names.append(name)
            used[kind] += 1
        yield table, pa.RecordBatch.from_arrays(arrays, names=names)
