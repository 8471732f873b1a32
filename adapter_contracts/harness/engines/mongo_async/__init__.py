"""MongoDB through an asyncio adapter: the ``mongo`` engine's storage, run against ``AsyncMongoAdapter``.

Everything but the adapter is the sync engine's (provisioning, raw reset and
snapshot, introspection, the canonical layout); each adapter gets its own
``AsyncMongoClient``, made on the adapter's own event loop.  Where no real
server can be had, a default run takes the labelled stand-in ``mongomock-async``.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from adapter_contracts.harness.engines.mongo import MongoEngine

if TYPE_CHECKING:
    from adapter_contracts.adapters.base import Adapter
    from adapter_contracts.harness.config import HarnessConfig
    from adapter_contracts.harness.engines.base import Endpoint

__all__ = ["AsyncMongoEngine"]


class AsyncMongoEngine(MongoEngine):
    id = "mongo-async"
    label = "MongoDB (asyncio, AsyncMongoClient)"
    flavour = "async"
    twin = "mongo"
    fallback: ClassVar[str | None] = "mongomock-async"

    def start(self, provider: str, config: HarnessConfig, stack: ExitStack) -> Endpoint:
        endpoint = super().start(provider, config, stack)
        return replace(endpoint, driver=f"{endpoint.driver} (AsyncMongoClient)")

    def make_adapter(self, endpoint: Endpoint) -> Adapter:
        from adapter_contracts.adapters.mongo_async import AsyncMongoAdapter
        from adapter_contracts.harness.bridge import open_bridge

        def make() -> AsyncMongoAdapter:
            from pymongo import AsyncMongoClient

            from adapter_contracts.harness.engines.mongo.provisioning import client_timeouts

            client = AsyncMongoClient(endpoint.dsn, tz_aware=True, **client_timeouts(endpoint.timeout))
            return AsyncMongoAdapter(client, endpoint.database)

        return open_bridge(make, "AsyncMongoAdapter")
