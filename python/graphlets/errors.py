"""The one base class of every error a user can cause or fix: a bad store, var or URL,
a busy or read-only data dir, a failed build, a missing mart. The command prints its
message on one line (`error: ...`) and exits 1; anything else is a bug and keeps its
traceback."""

from __future__ import annotations


class GraphletsError(Exception):
    """A user-facing error; its message says what is wrong and what to do."""
