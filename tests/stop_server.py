"""A pytest plugin for the fault tests: stop (SIGSTOP) a throwaway server in the middle of a run, or fill it.

``CONTRACT_TEST_STOP=postgres:3`` stops the server whose main process id is in
``CONTRACT_TEST_STOP_PIDFILE`` (the postmaster with every backend, or mysqld) after the
3rd contract of ``postgres``; the time is written to ``CONTRACT_TEST_STOP_STAMP``.
``CONTRACT_TEST_HOG=postgres:1`` instead opens connections to ``CONTRACT_TEST_HOG_DSN`` (another
database of the same server) after the 1st contract until the server refuses more, and holds them:
another client exhausting ``max_connections``.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

_seen: dict[str, int] = {}
#: The connections the hog holds until the run ends.
_held: list[object] = []


def _hog() -> None:
    import psycopg

    for _ in range(500):
        try:
            _held.append(psycopg.connect(os.environ["CONTRACT_TEST_HOG_DSN"], connect_timeout=5))
        except psycopg.OperationalError:
            return


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    hog = bool(os.environ.get("CONTRACT_TEST_HOG"))
    engine, _, after = os.environ.get("CONTRACT_TEST_HOG" if hog else "CONTRACT_TEST_STOP", "").partition(":")
    callspec = getattr(item, "callspec", None)
    if not engine or callspec is None or callspec.params.get("engine") != engine:
        return
    _seen[engine] = _seen.get(engine, 0) + 1
    if _seen[engine] != int(after):
        return
    if hog:
        _hog()
        return
    from tests.throwaway import family

    pid = int(Path(os.environ["CONTRACT_TEST_STOP_PIDFILE"]).read_text().split()[0])
    for member in family(pid):
        os.kill(member, signal.SIGSTOP)
    Path(os.environ["CONTRACT_TEST_STOP_STAMP"]).write_text(str(time.time()))
