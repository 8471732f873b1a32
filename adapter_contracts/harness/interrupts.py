"""How a run ends on SIGTERM or SIGHUP: the way Ctrl-C ends it.

pytest stops, reports "interrupted", and the session's cleanup drops its databases,
stops its servers and removes its directories.  A CI runner cancelling a job sends
SIGTERM.  The handlers are the harness's from its ``pytest_configure`` to its
``pytest_unconfigure``, and the ones found before are put back after.

An xdist controller passes the signal on to its workers at once.  A signal sent to
the controller alone (``kill PID``, ``docker stop``, a pod's termination) reached a
worker only through execnet's shutdown, which lets a busy worker run on for five
seconds before it interrupts it, and ends it outright (``os._exit``) ten seconds
later, cleanup or not.
"""

from __future__ import annotations

import contextlib
import os
import signal
from types import FrameType
from typing import Any

import pytest

from adapter_contracts.harness.private.xdist_api import worker_pid

__all__ = ["install", "restore", "session_started", "worker_ended", "worker_started"]

_SIGNALS = pytest.StashKey[dict[int, Any]]()
#: The running session, for the signal handler (set at session start).
_RUNNING: list[pytest.Session] = []
#: The signal that is ending the run, once one arrived.
_ENDING: list[str] = []
#: On an xdist controller, the process id of each worker it started, by worker id, until the worker
#: reports its end (until then the pid is its own: an ended child keeps it until it is waited for).
_WORKERS: dict[str, int] = {}


def worker_started(node: Any) -> None:
    """On an xdist controller, as it sets up a worker (``pytest_configure_node``)."""
    pid = worker_pid(node)
    if pid is not None:
        _WORKERS[str(node.workerinput["workerid"])] = pid


def worker_ended(node: Any) -> None:
    """On an xdist controller, when a worker has ended or crashed (``pytest_testnodedown``)."""
    _WORKERS.pop(str(node.workerinput["workerid"]), None)


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
    for pid in list(_WORKERS.values()):
        with contextlib.suppress(OSError):  # a worker that has just ended
            os.kill(pid, signum)
    raise KeyboardInterrupt(reason)


def install(config: pytest.Config) -> None:
    """SIGTERM and SIGHUP handled by :func:`_interrupt` until :func:`restore`."""
    _ENDING.clear()
    _WORKERS.clear()
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
