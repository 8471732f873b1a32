"""A pytest plugin for the fault tests: stop (SIGSTOP) a throwaway server in the middle of a run.

``CONTRACT_TEST_STOP=postgres:3`` stops the server whose main process id is in
``CONTRACT_TEST_STOP_PIDFILE`` (the postmaster with every backend, or mysqld) after the
3rd contract of ``postgres``; the time is written to ``CONTRACT_TEST_STOP_STAMP``.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

_seen: dict[str, int] = {}


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    engine, _, after = os.environ.get("CONTRACT_TEST_STOP", "").partition(":")
    callspec = getattr(item, "callspec", None)
    if not engine or callspec is None or callspec.params.get("engine") != engine:
        return
    _seen[engine] = _seen.get(engine, 0) + 1
    if _seen[engine] != int(after):
        return
    from tests.throwaway import family

    pid = int(Path(os.environ["CONTRACT_TEST_STOP_PIDFILE"]).read_text().split()[0])
    for member in family(pid):
        os.kill(member, signal.SIGSTOP)
    Path(os.environ["CONTRACT_TEST_STOP_STAMP"]).write_text(str(time.time()))
