"""Where an MLMD store lives: an SQLite path, or a MySQL/MariaDB or PostgreSQL URL.

    mysql://user@host:3306/metadb        (mariadb:// too)
    postgresql://user@host:5432/metadb   (postgres:// too)
    /path/to/mlmd.sqlite                 (sqlite:///path/to/mlmd.sqlite too)

The password comes from the URL, else from $GRAPHLETS_MLMD_PASSWORD, else from the
client's own file (~/.my.cnf for MySQL; ~/.pgpass, which libpq reads itself). It is kept
out of `display`, which is all that is ever printed.
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from graphlets.errors import GraphletsError

PASSWORD_ENV = "GRAPHLETS_MLMD_PASSWORD"
DEFAULT_PORTS = {"mysql": 3306, "postgresql": 5432}
_SCHEMES = {
    "mysql": "mysql",
    "mariadb": "mysql",
    "postgresql": "postgresql",
    "postgres": "postgresql",
}


class StoreUrlError(GraphletsError):
    """A store location that cannot be understood; the message says why."""


@dataclass(frozen=True)
class StoreUrl:
    kind: str  # sqlite, mysql or postgresql
    path: Path | None = None  # sqlite only
    host: str = ""
    port: int = 0
    user: str = ""
    database: str = ""
    password: str | None = field(default=None, repr=False)

    @property
    def display(self) -> str:
        """The location as the user may see it: never with the password."""
        if self.kind == "sqlite":
            return str(self.path)
        return f"{self.kind}://{self.user}@{self.host}:{self.port}/{self.database}"


def parse(text: str) -> StoreUrl:
    if "://" not in text:
        return StoreUrl("sqlite", path=Path(text))
    scheme = text.split("://", 1)[0].lower()
    if scheme == "sqlite":
        return StoreUrl("sqlite", path=Path(text[len("sqlite://") :]))
    if scheme not in _SCHEMES:
        raise StoreUrlError(
            f"unknown store URL scheme {scheme!r}; use mysql://, postgresql:// or an SQLite path"
        )
    kind = _SCHEMES[scheme]
    parts = urlsplit(text)
    database = unquote(parts.path.lstrip("/"))
    if not parts.hostname or not database:
        raise StoreUrlError(f"{kind} store URLs look like {kind}://user@host:port/database")
    try:
        port = parts.port or DEFAULT_PORTS[kind]
    except ValueError as error:
        raise StoreUrlError(f"{kind} store URL has a bad port: {error}") from None
    user = unquote(parts.username or "") or _default_user(kind)
    password = unquote(parts.password) if parts.password is not None else None
    if password is None:
        password = os.environ.get(PASSWORD_ENV) or (_my_cnf_password() if kind == "mysql" else None)
    return StoreUrl(kind, None, parts.hostname, port, user, database, password)


def _default_user(kind: str) -> str:
    if kind == "mysql":
        return _my_cnf_value("user") or os.environ.get("USER", "root")
    return os.environ.get("PGUSER") or os.environ.get("USER", "postgres")


def _my_cnf_password() -> str | None:
    return _my_cnf_value("password")


def _my_cnf_value(key: str) -> str | None:
    """`key` from the [client] (or [mysql]) section of ~/.my.cnf, as the mysql client reads it."""
    path = Path.home() / ".my.cnf"
    if not path.is_file():
        return None
    config = configparser.ConfigParser(allow_no_value=True, strict=False, interpolation=None)
    try:
        config.read_string(path.read_text())
    except (configparser.Error, OSError):
        return None
    for section in ("client", "mysql"):
        value = config.get(section, key, fallback=None)
        if value:
            return value.strip().strip("'\"")
    return None
