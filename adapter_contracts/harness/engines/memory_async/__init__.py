"""The reference behind coroutines: the ``memory`` engine's store, run against ``AsyncMemoryAdapter``.

Not the reference engine (the manifest measures its floors on ``memory``); the
async-native contracts' reference and a cheap async engine for the harness's own tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapter_contracts.harness.engines.memory import MemoryEngine

if TYPE_CHECKING:
    from adapter_contracts.adapters.base import Adapter
    from adapter_contracts.harness.engines.base import Endpoint

__all__ = ["AsyncMemoryEngine"]


class AsyncMemoryEngine(MemoryEngine):
    id = "memory-async"
    label = "in-memory reference (asyncio)"
    reference = False
    flavour = "async"
    twin = "memory"

    def make_adapter(self, endpoint: Endpoint) -> Adapter:
        from adapter_contracts.adapters.memory_async import AsyncMemoryAdapter
        from adapter_contracts.harness.bridge import open_bridge

        store = self.store
        return open_bridge(lambda: AsyncMemoryAdapter(store), "AsyncMemoryAdapter")  # type: ignore[abstract]
