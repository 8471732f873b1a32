"""Tracebacks pytest can print: an interrupted run must end "interrupted", never in pytest's own error.

Python 3.11 can leave ``tb_lineno`` None on the frame a signal interrupted (an
instruction without a line number).  pytest's report of the interruption
(``pytest_keyboard_interrupt``) then fails on that entry with a TypeError, and a
run stopped by SIGTERM or Ctrl-C ended with exit 1 and pytest's traceback instead
of exit 2 and the harness's verdict (seen once in this suite's interrupted-run
test; pytest-dev/pytest-xdist#1196 is the same failure).

Without ``--full-trace`` the reporter prints only the crash line of that traceback,
yet renders all of it first, every frame's source parsed and its arguments
repr'd: 0.22-0.26 CPU-s of a run's exit after a SIGTERM, some seventy frames deep
in pytest and Hypothesis (2026-12-07).  It gets the traceback cut to its crash
entry, the one it prints.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol

import pytest

from adapter_contracts.harness.private.pytest_api import cut_to_crash

__all__ = ["InterruptedRunTraceback", "drop_lineless_frames"]


class _Entry(Protocol):
    @property
    def tb_lineno(self) -> int | None: ...

    tb_next: _Entry | None


def drop_lineless_frames(tb: TracebackType | _Entry | None) -> int:
    """Unlink, in place, the entries after the first whose line number is None; returns how many.
    The frames around them still say where the run was interrupted."""
    dropped = 0
    while tb is not None and tb.tb_next is not None:
        if tb.tb_next.tb_lineno is None:
            tb.tb_next = tb.tb_next.tb_next
            dropped += 1
        else:
            tb = tb.tb_next
    return dropped


class InterruptedRunTraceback:
    """The traceback of an interrupted run (Ctrl-C, SIGTERM, SIGHUP, ``pytest.exit``) as pytest's
    terminal reporter gets it: one it can print, and, without ``--full-trace``, no more than it prints."""

    def __init__(self, full_trace: bool) -> None:
        self.full_trace = full_trace

    @pytest.hookimpl(tryfirst=True)  # before the terminal reporter renders it
    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        drop_lineless_frames(excinfo.tb)
        if not self.full_trace:
            cut_to_crash(excinfo)
