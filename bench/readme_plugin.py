"""Per-test CPU and wall time of a pytest run, for ``python -m bench --only readme`` (bench/readme.py).

Loaded with ``-p bench.readme_plugin`` into the run and, under xdist, into every worker.  Each
process appends one JSON line per test to ``$BENCH_README_OUT/<pid>.jsonl``: its node id, the CPU
time of the process itself and of the children it waited for (``resource.getrusage``) while the
test ran, and when it started and ended; plus one line when collection ended.  Without
``BENCH_README_OUT`` it records nothing.
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Generator
from pathlib import Path
from typing import IO, Any

import pytest

from bench.timing import cpu_seconds

_sink: IO[str] | None = None


def _write(record: dict[str, Any]) -> None:
    global _sink
    folder = os.environ.get("BENCH_README_OUT")
    if not folder:
        return
    if _sink is None:
        _sink = (Path(folder) / f"{os.getpid()}.jsonl").open("a", encoding="utf-8")
    _sink.write(json.dumps(record) + "\n")
    _sink.flush()


def pytest_collection_finish(session: pytest.Session) -> None:
    _write({"collected": time.time(), "worker": os.environ.get("PYTEST_XDIST_WORKER", "main")})


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    began, own, children = time.time(), cpu_seconds(resource.RUSAGE_SELF), cpu_seconds(resource.RUSAGE_CHILDREN)
    try:
        return (yield)
    finally:
        _write({"id": item.nodeid, "began": began, "ended": time.time(),
                "self": cpu_seconds(resource.RUSAGE_SELF) - own,
                "children": cpu_seconds(resource.RUSAGE_CHILDREN) - children})


def pytest_unconfigure(config: pytest.Config) -> None:
    global _sink
    if _sink is not None:
        _sink.close()
        _sink = None
