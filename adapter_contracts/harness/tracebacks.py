"""Tracebacks pytest can print: an interrupted run must end "interrupted", never in pytest's own error.

Python 3.11 can leave ``tb_lineno`` None on the frame a signal interrupted (an
instruction without a line number).  pytest's report of the interruption
(``pytest_keyboard_interrupt``) then fails on that entry with a TypeError, and a
run stopped by SIGTERM or Ctrl-C ended with exit 1 and pytest's traceback instead
of exit 2 and the harness's verdict (seen once in this suite's interrupted-run
test; pytest-dev/pytest-xdist#1196 is the same failure).
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol

__all__ = ["drop_lineless_frames"]


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
