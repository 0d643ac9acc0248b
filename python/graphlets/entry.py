"""The `graphlets` console script: a Ctrl-C at any moment, even while Python is still
importing the command's modules, ends in one line, not a traceback or silence."""

from __future__ import annotations

import sys

from graphlets.errors import GraphletsError

INTERRUPTED = 130  # the shell's code for "ended by SIGINT"


def main() -> None:
    cli = None
    try:
        from graphlets import cli

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
