"""What the gallery's memory-backed adapters share: the engine's store, timestamp helpers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from adapter_contracts.adapters.memory import MemoryAdapter, MemoryStore

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.base import Endpoint

A = TypeVar("A", bound=MemoryAdapter)


def on_engine_store(cls: type[A], endpoint: Endpoint) -> A:
    """An instance on the memory engine's own store, so resets, raw snapshots and
    second instances see the same data, as they would on a database."""
    store = endpoint.extra["store"]
    assert isinstance(store, MemoryStore), "the memory engine hands its store over in endpoint.extra"
    return cls(store)


def aware(value: object) -> bool:
    """A value the shared validation will accept as a timestamp, so a defect may rewrite it;
    anything else goes through untouched and is rejected as usual."""
    return isinstance(value, datetime) and value.utcoffset() is not None


def rewrite(value: object, change: Callable[[datetime], datetime]) -> object:
    """``change(value)`` for a valid-looking timestamp; anything else, or an overflow, as given."""
    if not (isinstance(value, datetime) and aware(value)):
        return value
    try:
        return change(value)
    except OverflowError:
        return value
