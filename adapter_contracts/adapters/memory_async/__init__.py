"""The reference adapter as an :class:`AsyncAdapter`: the executable specification behind coroutines.

Each operation yields to the loop once (one await point, where a cancellation
lands before anything is done) and then runs the reference's own method, which
never blocks (the store is in memory).  It is what the async-native contracts
are measured against on an engine of its own (``memory-async``) and the model
of a correct async adapter in the gallery.
"""

from __future__ import annotations

import abc
import asyncio
from typing import Any

from adapter_contracts.adapters.async_base import AsyncAdapter, operations
from adapter_contracts.adapters.memory import MemoryAdapter, MemoryStore

__all__ = ["AsyncMemoryAdapter"]


class AsyncMemoryAdapter(AsyncAdapter):
    """The reference, as coroutines; the operations are the reference's, made below from the interface."""

    unsupported = MemoryAdapter.unsupported

    def __init__(self, store: MemoryStore) -> None:
        self.reference = MemoryAdapter(store)


def _coroutine(name: str) -> Any:
    async def operation(self: AsyncMemoryAdapter, *args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0)
        return getattr(self.reference, name)(*args, **kwargs)

    operation.__name__ = operation.__qualname__ = name
    operation.__doc__ = getattr(AsyncAdapter, name).__doc__
    return operation


for _name in operations(AsyncAdapter):
    setattr(AsyncMemoryAdapter, _name, _coroutine(_name))
abc.update_abstractmethods(AsyncMemoryAdapter)  # type: ignore[type-abstract]
