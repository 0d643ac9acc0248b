"""One writer per data directory: an advisory lock (flock) on `<data dir>/.lock`.

The lock file names its holder (pid, command, since) so that a second writer can say
who is in its way. The kernel drops the lock when its holder dies, even by kill -9.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from graphlets.errors import GraphletsError


class DataDirBusy(GraphletsError):
    """Another graphlets command is writing to the data directory."""


class DataDirNotWritable(GraphletsError):
    """The data directory cannot be written (read-only, no permission)."""


def lock_path(root: Path) -> Path:
    return root / ".lock"


def _holder_line(path: Path) -> str:
    try:
        holder = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        holder = {}
    if not holder:
        return "another graphlets command"
    return f"`{holder.get('command')}` (pid {holder.get('pid')}, since {holder.get('since')})"


def _open_lock_file(root: Path) -> int:
    try:
        root.mkdir(parents=True, exist_ok=True)
        return os.open(lock_path(root), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise DataDirNotWritable(
            f"cannot write to the data directory {root}: {error.strerror}"
        ) from error


@contextmanager
def data_dir_lock(root: Path, command: str) -> Iterator[None]:
    """Hold the data directory's writer lock; raise DataDirBusy, naming the holder, when
    another process holds it."""
    fd = _open_lock_file(root)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DataDirBusy(
                f"the data directory {root} is busy: {_holder_line(lock_path(root))} "
                "is writing to it; run this again when it has finished"
            ) from None
        holder = {
            "pid": os.getpid(),
            "command": command,
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing the descriptor releases the lock
