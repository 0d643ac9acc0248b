"""The raw layer, swapped in whole: `<data dir>/raw` is a symlink to one complete version.

Every writer (ingest, simulate) fills a fresh version directory `raw.<id>` beside it,
writes a manifest (where the layer came from, rows per table, when) into it last, and
then atomically repoints `raw` with `os.replace` of a new symlink. A crash at any moment
leaves `raw` pointing at a whole layer, old or new; `recover` (run by the next writer
under the data directory's lock) removes versions nothing points to.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from graphlets.interrupts import finish_before_interrupt

MANIFEST = "_manifest.json"
# Kinds of source; a layer from a real store is not replaced by a simulation unless forced.
REAL_SOURCE_KINDS = ("mlmd", "files")
_LEGACY_SUFFIX = ".legacy"
# The columns that stamp activity in a store, per table (epoch milliseconds).
_ACTIVITY_COLUMNS = {
    "Execution": ("create_time_since_epoch", "last_update_time_since_epoch"),
    "Artifact": ("create_time_since_epoch", "last_update_time_since_epoch"),
    "Context": ("create_time_since_epoch", "last_update_time_since_epoch"),
    "Event": ("milliseconds_since_epoch",),
}


@dataclass(frozen=True)
class Manifest:
    raw_layer_id: str
    source_kind: str
    source: str
    rows_by_table: dict[str, int]
    written_at: str
    schema_version: int | None
    last_activity_ms: int | None

    @property
    def is_real_store(self) -> bool:
        return self.source_kind in REAL_SOURCE_KINDS


@contextmanager
def new_version(raw_dir: Path) -> Iterator[Path]:
    """A fresh, empty directory beside `raw_dir` for the next version of the raw layer.
    If the block fails (a Ctrl-C included) before `swap_in` made it the raw layer, the
    directory is removed: the folder is made inside the `try`, so no instant is left
    where it exists unguarded."""
    version = raw_dir.with_name(
        f"{raw_dir.name}.{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    )
    try:
        version.mkdir(parents=True)
        yield version
    except BaseException:
        # A Ctrl-C delivered as the swap finishes comes after it: the version is live.
        if not (raw_dir.is_symlink() and raw_dir.resolve() == version.resolve()):
            discard(version)
        raise


def _last_activity_ms(version: Path) -> int | None:
    parts = []
    for table, columns in _ACTIVITY_COLUMNS.items():
        path = str(version / f"{table}.parquet").replace("'", "''")
        parts += [f"(select max({c}) from read_parquet('{path}'))" for c in columns]
    with duckdb.connect() as con:
        # greatest() skips NULLs: an empty table does not hide the others' activity.
        return con.execute(f"select greatest({', '.join(parts)})").fetchone()[0]


def _rows_by_table(version: Path) -> dict[str, int]:
    paths = sorted(version.glob("*.parquet"))
    return {path.stem: pq.read_metadata(path).num_rows for path in paths}


def _schema_version(version: Path) -> int | None:
    path = version / "MLMDEnv.parquet"
    if not path.is_file():
        return None
    values = [v for v in pq.read_table(path).column("schema_version").to_pylist() if v is not None]
    return max(values) if values else None


def _fsync_tree(directory: Path) -> None:
    for path in directory.iterdir():
        with path.open("rb") as handle:
            os.fsync(handle.fileno())
    _fsync_dir(directory)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def swap_in(
    version: Path,
    raw_dir: Path,
    *,
    source_kind: str,
    source: str | Path,
) -> Manifest:
    """Record where the complete layer in `version` (a `new_version`) came from, then make
    `raw_dir` point at it in one atomic step; drop the versions nothing points to any
    more."""
    manifest = Manifest(
        raw_layer_id=version.name.removeprefix(raw_dir.name + "."),
        source_kind=source_kind,
        source=str(source.resolve() if isinstance(source, Path) else source),
        rows_by_table=_rows_by_table(version),
        written_at=datetime.now(UTC).isoformat(timespec="seconds"),
        schema_version=_schema_version(version),
        last_activity_ms=_last_activity_ms(version),
    )
    (version / MANIFEST).write_text(json.dumps(manifest.__dict__, indent=2) + "\n")
    _fsync_tree(version)
    # From here on a Ctrl-C waits: the swap is finished and reported as done.
    with finish_before_interrupt():
        if raw_dir.is_dir() and not raw_dir.is_symlink():
            # A raw layer from before versions: move it aside; `recover` moves it back if
            # we die before the symlink below exists.
            raw_dir.rename(raw_dir.with_name(raw_dir.name + _LEGACY_SUFFIX))
        pointer = raw_dir.with_name(f".{raw_dir.name}.pointer-{os.getpid()}")
        pointer.unlink(missing_ok=True)
        pointer.symlink_to(version.name)
        os.replace(pointer, raw_dir)
        _fsync_dir(raw_dir.parent)
        recover(raw_dir)
    return manifest


def discard(version: Path) -> None:
    """Remove a version that was never swapped in (a writer that failed)."""
    shutil.rmtree(version, ignore_errors=True)


def recover(raw_dir: Path) -> None:
    """Finish what a killed writer left: put back a moved-aside legacy layer when `raw_dir`
    is missing, and remove every version (and the loading folder of older graphlets) and
    pointer that `raw_dir` does not point to. Run only under the data directory's lock."""
    legacy = raw_dir.with_name(raw_dir.name + _LEGACY_SUFFIX)
    if not raw_dir.exists() and not raw_dir.is_symlink() and legacy.is_dir():
        legacy.rename(raw_dir)
    current = raw_dir.resolve() if raw_dir.is_symlink() else None
    ours = re.compile(re.escape(raw_dir.name) + r"\.(\d{8}T\d{6}Z-[0-9a-f]{8}|legacy|loading)")
    for path in raw_dir.parent.iterdir():
        if ours.fullmatch(path.name) and path.resolve() != current:
            shutil.rmtree(path, ignore_errors=True)
    for pointer in raw_dir.parent.glob(f".{raw_dir.name}.pointer-*"):
        pointer.unlink(missing_ok=True)


def read_manifest(raw_dir: Path) -> Manifest | None:
    """Where the current raw layer came from; None for a layer without a manifest."""
    try:
        return Manifest(**json.loads((raw_dir / MANIFEST).read_text()))
    except (OSError, ValueError, TypeError):
        return None
