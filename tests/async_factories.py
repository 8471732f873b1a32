"""Async factories for tests/test_async_bridge.py: the reference behind coroutines, made in both allowed ways."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from adapter_contracts import async_adapter_factory
from adapter_contracts.adapters.memory_async import AsyncMemoryAdapter

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.base import Endpoint


@async_adapter_factory(engine="memory-async")
async def memory(endpoint: Endpoint) -> Any:
    """A coroutine function: awaited on the adapter's own loop."""
    return AsyncMemoryAdapter(endpoint.extra["store"])


@async_adapter_factory(engine="memory-async")
def memory_sync_made(endpoint: Endpoint) -> Any:
    """A plain function returning the adapter: called on the adapter's own loop."""
    return AsyncMemoryAdapter(endpoint.extra["store"])


@async_adapter_factory(engine="memory")
async def on_a_sync_engine(endpoint: Endpoint) -> Any:
    raise AssertionError("never called: an async factory on a sync engine is a usage error")
