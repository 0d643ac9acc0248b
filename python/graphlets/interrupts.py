"""Ctrl-C, handled: a swap that has begun is finished, and an interrupt is never
reported as some other failure."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@contextmanager
def finish_before_interrupt() -> Iterator[None]:
    """Ignore SIGINT inside the block (a few file renames and fsyncs), so that a Ctrl-C
    cannot land between "swapped in" and "said so". Outside the main thread (where
    signals are not delivered) this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@dataclass
class Interrupts:
    received: bool = False


@contextmanager
def noticing_interrupts() -> Iterator[Interrupts]:
    """Raise KeyboardInterrupt on SIGINT as usual, and remember that one came: a library
    that swallows it (dbt, while parsing) cannot turn a Ctrl-C into some other failure."""
    state = Interrupts()
    if threading.current_thread() is not threading.main_thread():
        yield state
        return

    def interrupt(signum: int, frame: object) -> None:
        state.received = True
        raise KeyboardInterrupt

    def quiet_when_interrupted(unraisable: sys.UnraisableHookArgs) -> None:
        # Python swallows an exception raised in a destructor (pyarrow's writers close in
        # __del__) and prints its traceback; a Ctrl-C landing there is already noted.
        if not isinstance(unraisable.exc_value, KeyboardInterrupt):
            previous_hook(unraisable)

    previous = signal.signal(signal.SIGINT, interrupt)
    previous_hook, sys.unraisablehook = sys.unraisablehook, quiet_when_interrupted
    try:
        yield state
    finally:
        signal.signal(signal.SIGINT, previous)
        sys.unraisablehook = previous_hook
