"""The `graphlets` console script: a Ctrl-C at any moment, even while Python is still
importing the command's modules, ends in one line, not a traceback or silence."""

from __future__ import annotations

import signal
import sys

# Held until the command's modules are imported: a KeyboardInterrupt raised inside a C
# extension's initialisation (DuckDB's) aborts the process. Python reads and runs this
# line first, so only the interpreter's own start-up comes before it.
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})

from graphlets.errors import GraphletsError  # noqa: E402

INTERRUPTED = 130  # the shell's code for "ended by SIGINT"


def main() -> None:
    cli = None
    try:
        try:
            from graphlets import cli
        finally:
            # A Ctrl-C that came meanwhile is delivered here, as a KeyboardInterrupt.
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        cli.app()
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        sys.exit(INTERRUPTED)
    except GraphletsError as error:  # one a command did not catch itself
        sys.stderr.write(f"error: {error}\n")
        sys.exit(1)
    except SystemExit as leaving:
        # typer turns a Ctrl-C outside our own handlers into a silent exit 130.
        if leaving.code == INTERRUPTED and not (cli and cli.failure_reported):
            sys.stderr.write("error: interrupted\n")
        raise
