"""How a run ends on SIGTERM or SIGHUP: the way Ctrl-C ends it.

pytest stops, reports "interrupted", and the session's cleanup drops its databases,
stops its servers and removes its directories.  A CI runner cancelling a job sends
SIGTERM.  The handlers are the harness's from its ``pytest_configure`` to its
``pytest_unconfigure``, and the ones found before are put back after.
"""

from __future__ import annotations

import signal
from types import FrameType
from typing import Any

import pytest

__all__ = ["install", "restore", "session_started"]

_SIGNALS = pytest.StashKey[dict[int, Any]]()
#: The running session, for the signal handler (set at session start).
_RUNNING: list[pytest.Session] = []
#: The signal that is ending the run, once one arrived.
_ENDING: list[str] = []


def session_started(session: pytest.Session) -> None:
    _RUNNING[:] = [session]


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """End the run as Ctrl-C does.

    The KeyboardInterrupt may land where Python swallows exceptions (a gc callback, a
    ``__del__``; measured: Hypothesis' gc callback), so ``shouldstop`` also ends the run at the
    next test boundary, as pytest's own Interrupted.  Only the first signal raises: a second one
    (an impatient runner) would cut the cleanup short (measured: an INTERNALERROR while pytest
    reported the first, under xdist); the run is already ending."""
    reason = f"{signal.Signals(signum).name} received"
    for session in _RUNNING:
        session.shouldstop = reason
    if _ENDING:
        return
    _ENDING.append(reason)
    raise KeyboardInterrupt(reason)


def install(config: pytest.Config) -> None:
    """SIGTERM and SIGHUP handled by :func:`_interrupt` until :func:`restore`."""
    _ENDING.clear()
    previous: dict[int, Any] = {}
    for signum in (signal.SIGTERM, signal.SIGHUP):
        try:
            previous[signum] = signal.signal(signum, _interrupt)
        except ValueError:  # not the main thread (pytest run inside a thread): leave signals alone
            return
    config.stash[_SIGNALS] = previous


def restore(config: pytest.Config) -> None:
    """The handlers :func:`install` found, back."""
    for signum, handler in config.stash.get(_SIGNALS, {}).items():
        signal.signal(signum, handler)
