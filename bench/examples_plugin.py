"""A pytest plugin for the suite benchmark: counts Hypothesis examples through ``fresh``.

Contracts call ``fresh()`` once at the start of every Hypothesis example, so
the calls made during a test's call phase are its examples.  Loaded with
``-p bench.examples_plugin``; writes ``[[nodeid, examples, seconds], ...]`` to
the file named by BENCH_EXAMPLES_OUT.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Generator
from typing import Any

import pytest

_RUNS: list[tuple[str, int, float]] = []


@pytest.hookimpl(hookwrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, Any, None]:
    fresh = pyfuncitem.funcargs.get("fresh")
    if not callable(fresh):
        yield
        return
    calls = 0

    def counting(reset: Callable[[], Any] = fresh) -> Any:
        nonlocal calls
        calls += 1
        return reset()

    pyfuncitem.funcargs["fresh"] = counting
    began = time.perf_counter()
    yield
    _RUNS.append((pyfuncitem.nodeid, calls, time.perf_counter() - began))


def pytest_unconfigure(config: pytest.Config) -> None:
    path = os.environ.get("BENCH_EXAMPLES_OUT")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(_RUNS, out)
