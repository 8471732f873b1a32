"""The asyncio MongoDB stand-in: the ``mongomock`` stand-in's client behind a thin async facade.

Labelled a stand-in and never certified as MongoDB.  The facade (:class:`AsyncFacade`) gives
mongomock the shape of pymongo's ``AsyncMongoClient`` as far as the adapter uses it (awaited
calls, cursors read with ``to_list``, ``aggregate`` awaited for its cursor), so the adapter
under test is the very ``AsyncMongoAdapter`` the real engine runs.  Each call yields to the loop
once and then runs mongomock's (in-memory, atomic through the stand-in's lock) operation.

What it cannot prove: anything of the real driver's asyncio I/O (its pool under many tasks,
what a cancellation does mid-request on a socket, server selection and timeouts), BSON decoding
on the wire, or the server's own concurrency; a cancellation lands only at the one await point
before each mongomock call, never inside a request.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, ClassVar

from adapter_contracts.harness.engines.mongo.standin import MongomockEngine

if TYPE_CHECKING:
    from adapter_contracts.adapters.base import Adapter
    from adapter_contracts.harness.engines.base import Endpoint

__all__ = ["AsyncFacade", "AsyncMongomockEngine"]


class _AsyncCursor:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def sort(self, *args: Any, **kwargs: Any) -> _AsyncCursor:
        return _AsyncCursor(self._cursor.sort(*args, **kwargs))

    def limit(self, count: int) -> _AsyncCursor:
        return _AsyncCursor(self._cursor.limit(count))

    async def to_list(self, length: int | None = None) -> list[Any]:
        await asyncio.sleep(0)
        docs = list(self._cursor)
        return docs if length is None else docs[:length]


class AsyncFacade:
    """A (stand-in's) mongomock client, database or collection, shaped like pymongo's async API."""

    def __init__(self, target: Any) -> None:
        self._target = target

    def __getitem__(self, name: str) -> AsyncFacade:
        return AsyncFacade(self._target[name])

    def find(self, *args: Any, **kwargs: Any) -> _AsyncCursor:
        return _AsyncCursor(self._target.find(*args, **kwargs))

    async def aggregate(self, *args: Any, **kwargs: Any) -> _AsyncCursor:
        await asyncio.sleep(0)
        return _AsyncCursor(self._target.aggregate(*args, **kwargs))

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)

        async def call(*args: Any, **kwargs: Any) -> Any:
            await asyncio.sleep(0)
            return attr(*args, **kwargs)

        return call


class AsyncMongomockEngine(MongomockEngine):
    """mongomock behind :class:`AsyncFacade`, running the real engine's ``AsyncMongoAdapter``."""

    id = "mongomock-async"
    label = "MongoDB stand-in (mongomock, asyncio facade)"
    flavour = "async"
    twin: ClassVar[str | None] = "mongomock"

    def make_adapter(self, endpoint: Endpoint) -> Adapter:
        from adapter_contracts.adapters.mongo_async import AsyncMongoAdapter
        from adapter_contracts.harness.bridge import open_bridge

        client = AsyncFacade(endpoint.extra["client"])
        return open_bridge(lambda: AsyncMongoAdapter(client, endpoint.database), "AsyncMongoAdapter")
