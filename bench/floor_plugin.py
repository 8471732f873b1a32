"""A pytest plugin for the floor benchmark (``-p bench.floor_plugin``): round trips, ``SELECT 1``, CPU split.

* **Round trips**: every exchange with a server the drivers make, the adapter's and
  the harness's alike (resets, snapshots): psycopg's ``Connection.wait`` and its bounded override (one per
  statement sent, commit or rollback) and PyMySQL's ``Connection._execute_command``
  (one per command).  Driver internals, patched in this bench-only plugin and never in
  the harness: a driver release that renames them makes the count 0, which the section
  prints.
* **SELECT 1**: at the end of the run, before the harness stops its servers, the median
  of ``SELECT 1`` on a new connection to the same server (the median of five batches' medians,
  each batch's kept too): the cost of one round trip.
* **CPU split**: every 5 ms of the process's CPU time (SIGPROF), the interrupted stack is
  charged to the innermost frame of a known kind (Hypothesis, the driver, the adapter
  under test, the reference adapter, the harness with the contracts and strategies),
  else to "pytest and the rest".  Time spent waiting for a server costs no CPU, so it is
  charged nothing.  (A thread sampling the stack would be biased: it gets the GIL
  mostly while the main thread waits in the driver.)

Writes one JSON object to the file named by BENCH_FLOOR_OUT.
"""

from __future__ import annotations

import functools
import json
import os
import signal
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from bench.timing import measure

_ROUND_TRIPS = Counter[str]()
_CPU = Counter[str]()
#: (substring of a frame's file name, kind); the first match from the innermost frame out wins.
KINDS = (
    ("/hypothesis/", "hypothesis"),
    ("/psycopg", "driver"), ("/pymysql/", "driver"), ("/pymongo/", "driver"), ("/mongomock/", "driver"),
    ("/bson/", "driver"), ("/sqlite3/", "driver"),
    ("adapter_contracts/adapters/memory/", "reference"),
    ("adapter_contracts/adapters/", "adapter"), ("adapter_contracts/examples/", "adapter"),
    ("adapter_contracts/", "harness"),
)
#: CPU time between samples.
SAMPLE_SECONDS = 0.005


def _count(cls: Any, name: str, driver: str) -> None:
    original = getattr(cls, name, None)
    if original is None:
        return

    @functools.wraps(original)
    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        _ROUND_TRIPS[driver] += 1
        return original(self, *args, **kwargs)

    setattr(cls, name, counted)


def _kind(frame: Any) -> str:
    while frame is not None:
        name = frame.f_code.co_filename
        for part, kind in KINDS:
            if part in name:
                return kind
        frame = frame.f_back
    return "pytest and the rest"


def _sample(signum: int, frame: Any) -> None:
    _CPU[_kind(frame)] += SAMPLE_SECONDS


def pytest_configure(config: pytest.Config) -> None:
    try:
        import psycopg
    except ImportError:
        pass
    else:
        from adapter_contracts.adapters.postgres.bounds import BoundedConnection

        _count(psycopg.Connection, "wait", "psycopg")
        # The built-in adapter's and the harness's connections bound psycopg's wait by overriding it
        # (without calling the base's), so the override is counted too.
        _count(BoundedConnection, "wait", "psycopg")
    try:
        import pymysql
    except ImportError:
        pass
    else:
        _count(pymysql.connections.Connection, "_execute_command", "pymysql")
    # SIGPROF fires per CPU time the process spends, so a sample is as likely in any code as
    # the CPU it costs; its handler runs in the main thread, given the frame it interrupted
    # (after a C call returns: its CPU is charged to the Python frame that made it).
    signal.signal(signal.SIGPROF, _sample)
    signal.setitimer(signal.ITIMER_PROF, SAMPLE_SECONDS, SAMPLE_SECONDS)


def _batch_medians(action: Callable[[], object]) -> list[float]:
    """The medians of five batches of 500 calls, in the order they ran.  Their median is the round
    trip's cost: neither a batch slowed by another process nor an unusually fast one moves it.  (The
    lowest batch alone gave 0.024 ms once on a machine whose batches were otherwise 0.08-0.10 ms, and a
    ratio to the floor of 18 for a run that was 4-5 times its floor by every other batch.)"""
    return [round(measure(action, 500, warmup=20).median_ms, 4) for _ in range(5)]


def _select_one(config: pytest.Config) -> dict[str, list[float]]:
    """The five batch medians (ms) of SELECT 1 on each server engine of the run, through its own driver."""
    # Imported here: the root conftest registers the harness plugin, and pytest rewrites its
    # asserts only if nothing imported it before.
    from adapter_contracts.harness.pytest_harness import engine_session

    engines = engine_session(config)
    medians: dict[str, list[float]] = {}
    for engine_id, started in (engines.started.items() if engines is not None else ()):
        endpoint = started.endpoint
        if endpoint.driver.startswith("psycopg"):
            import psycopg

            with psycopg.connect(endpoint.dsn, autocommit=True, connect_timeout=5) as conn:
                medians[engine_id] = _batch_medians(lambda conn=conn: conn.execute("SELECT 1").fetchone())
        elif endpoint.driver.startswith("PyMySQL"):
            from adapter_contracts.harness.engines.mysql.provisioning import parse_mysql_dsn

            address, _ = parse_mysql_dsn(endpoint.dsn)
            conn = address.connect(endpoint.database)
            try:
                with conn.cursor() as cur:
                    medians[engine_id] = _batch_medians(lambda cur=cur: (cur.execute("SELECT 1"), cur.fetchone()))
            finally:
                conn.close()
    return medians


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    signal.setitimer(signal.ITIMER_PROF, 0, 0)
    path = os.environ.get("BENCH_FLOOR_OUT")
    if not path:
        return
    trips = dict(_ROUND_TRIPS)
    try:
        select_one = _select_one(session.config)
    except Exception as exc:  # noqa: BLE001 (a figure missing, not a failed run)
        select_one = {"error": str(exc)}  # type: ignore[dict-item]
    with open(path, "w", encoding="utf-8") as out:
        json.dump({"round_trips": trips, "select_one_ms": select_one, "cpu_s": dict(_CPU)}, out)
