"""An interrupted run's traceback is one pytest can print, and no longer than it prints
(adapter_contracts/harness/tracebacks.py)."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pytest

from adapter_contracts.harness.tracebacks import InterruptedRunTraceback, drop_lineless_frames


@dataclass
class _Entry:
    """A traceback entry as Python 3.11 may leave it: ``tb_lineno`` None where a signal landed."""

    tb_lineno: int | None
    tb_next: _Entry | None = None


def _chain(*linenos: int | None) -> _Entry:
    head: _Entry | None = None
    for lineno in reversed(linenos):
        head = _Entry(lineno, head)
    assert head is not None
    return head


def _linenos(entry: _Entry | None) -> list[int | None]:
    found = []
    while entry is not None:
        found.append(entry.tb_lineno)
        entry = entry.tb_next
    return found


def test_entries_without_a_line_are_unlinked_wherever_they_are() -> None:
    chain = _chain(10, None, 20, None, None, 30, None)
    assert drop_lineless_frames(chain) == 4
    assert _linenos(chain) == [10, 20, 30]


def test_a_real_traceback_is_left_whole() -> None:
    def inner() -> None:
        raise KeyboardInterrupt("SIGTERM received")

    try:
        inner()
    except KeyboardInterrupt:
        tb = sys.exc_info()[2]
    before = []
    entry = tb
    while entry is not None:
        before.append(entry.tb_lineno)
        entry = entry.tb_next
    assert drop_lineless_frames(tb) == 0
    after = []
    entry = tb
    while entry is not None:
        after.append(entry.tb_lineno)
        entry = entry.tb_next
    assert after == before
    assert len(after) == 2


def _interrupted() -> pytest.ExceptionInfo[BaseException]:
    def handler() -> None:  # where the signal handler raises
        raise KeyboardInterrupt("SIGTERM received")

    def deep(depth: int) -> None:
        if depth:
            deep(depth - 1)
        else:
            handler()

    with pytest.raises(KeyboardInterrupt) as raised:
        deep(5)
    return raised


@pytest.mark.parametrize("full_trace", [False, True], ids=["default", "full-trace"])
def test_the_reporter_gets_the_crash_entry_unless_the_full_trace_is_asked_for(full_trace: bool) -> None:
    excinfo = _interrupted()
    whole = [entry.lineno for entry in excinfo.traceback]
    InterruptedRunTraceback(full_trace).pytest_keyboard_interrupt(excinfo)
    kept = [entry.lineno for entry in excinfo.traceback]
    # The handler's entry is the crash pytest prints (tests/test_private_apis.py: the same line, cut or not).
    assert kept == (whole if full_trace else whole[-1:])
