"""Timing helpers: medians and 95th percentiles in milliseconds, no fixed sleeps."""

from __future__ import annotations

import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from tests.inner import child_env


@dataclass(frozen=True)
class Stats:
    median_ms: float
    p95_ms: float
    n: int

    def as_dict(self) -> dict[str, float | int]:
        return {"median_ms": round(self.median_ms, 4), "p95_ms": round(self.p95_ms, 4), "n": self.n}


def stats(samples: list[float]) -> Stats:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return Stats(statistics.median(ordered) * 1000, p95 * 1000, len(ordered))


def measure(action: Callable[[], object], repeat: int, warmup: int = 5) -> Stats:
    """Time ``action`` ``repeat`` times, one sample per call, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        action()
    samples = []
    clock = time.perf_counter
    for _ in range(repeat):
        began = clock()
        action()
        samples.append(clock() - began)
    return stats(samples)


def once(action: Callable[[], object]) -> float:
    """Seconds one call of ``action`` took."""
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def cpu_seconds(who: int) -> float:
    """User and system CPU seconds of ``resource.getrusage(who)``: this process (``RUSAGE_SELF``) or
    the children it has waited for (``RUSAGE_CHILDREN``)."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def measured_env(**extra: str) -> dict[str, str]:
    """The environment a measured command runs in: this one, ``CONTRACT_*`` variables included, with
    bytecode written as ``.ci/run`` and a user's shell write it (:func:`tests.inner.child_env`, which
    the suite's own child runs use), plus ``extra``.

    Under PYTHONDONTWRITEBYTECODE, which some shells set, every process of the measured command
    compiled its modules and pytest rewrote the test modules' asserts again: a serial PostgreSQL
    certification 21.1 and 21.1 s against 20.1 and 20.3 s with the cache (alternated)."""
    return child_env(without=(), **extra)
