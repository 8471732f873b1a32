"""Async factories for tests/test_async_bridge.py: the reference adapter behind coroutines."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any

from adapter_contracts import AsyncAdapter, async_adapter_factory
from adapter_contracts.adapters.async_base import operations
from adapter_contracts.adapters.memory import MemoryAdapter

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.base import Endpoint


class AsyncMemory(AsyncAdapter):
    """The reference adapter, each operation a coroutine that awaits nothing but its call."""

    unsupported = MemoryAdapter.unsupported

    def __init__(self, sync: MemoryAdapter) -> None:
        self.sync = sync


def _coroutine(name: str) -> Any:
    async def operation(self: AsyncMemory, *args: Any, **kwargs: Any) -> Any:
        return getattr(self.sync, name)(*args, **kwargs)

    operation.__name__ = name
    return operation


for _name in operations():
    setattr(AsyncMemory, _name, _coroutine(_name))
abc.update_abstractmethods(AsyncMemory)


@async_adapter_factory(engine="memory-async")
async def memory(endpoint: Endpoint) -> AsyncMemory:
    return AsyncMemory(MemoryAdapter(endpoint.extra["store"]))


@async_adapter_factory(engine="memory-async")
def memory_sync_made(endpoint: Endpoint) -> AsyncMemory:
    return AsyncMemory(MemoryAdapter(endpoint.extra["store"]))


@async_adapter_factory(engine="memory")
async def on_a_sync_engine(endpoint: Endpoint) -> AsyncMemory:
    raise AssertionError("never called: an async factory on a sync engine is a usage error")
