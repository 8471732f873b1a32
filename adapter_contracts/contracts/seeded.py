"""Fixtures for contracts that run many cases against storage holding :func:`seed`'s rows.

A contract module imports ``fresh``, ``raw_snapshot`` and ``_handover`` from here
to override the plugin's: ``fresh()`` then gives the engine's adapter on storage
holding exactly the seeded rows, re-seeding only when a case changed them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.contracts.hostile_cases import seed
from adapter_contracts.contracts.support import Rows, Snapshot
from adapter_contracts.harness.session import StartedEngine

__all__ = ["_handover", "fresh", "raw_snapshot"]

# Raw snapshot of each engine's storage right after seed(), by backend identity.
_SEEDED: dict[int, Rows] = {}


@pytest.fixture
def _handover() -> list[Rows]:
    """The raw snapshot ``fresh`` took last, until the test's first ``raw_snapshot()`` takes it."""
    return []


@pytest.fixture
def fresh(engine: StartedEngine, _handover: list[Rows]) -> Callable[[], Adapter]:
    """Overrides the plugin's ``fresh``: storage holding exactly the seeded rows.

    Seeding takes about twenty committed writes, which would dominate cases that
    write nothing; so storage is reset and re-seeded only when its raw snapshot
    differs from the seeded one, i.e. after a case wrote or another module reset.
    """

    def reset() -> Adapter:
        key = id(engine.engine)
        now = engine.snapshot()
        if _SEEDED.get(key) != now:
            engine.reset()
            seed(engine.adapter)
            now = _SEEDED[key] = engine.snapshot()
        _handover[:] = [now]
        return engine.adapter

    return reset


@pytest.fixture
def raw_snapshot(engine: StartedEngine, _handover: list[Rows]) -> Snapshot:
    """The plugin's raw read, except that the first call returns the raw snapshot ``fresh``
    has just taken (nothing ran in between), saving one full read per case."""

    def snapshot() -> Rows:
        return _handover.pop() if _handover else engine.snapshot()

    return snapshot
