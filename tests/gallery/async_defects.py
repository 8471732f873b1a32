"""Defects only asyncio code has: each passes every synchronous contract and is refused by the async-native ones.

* a cascade that is not safe under cancellation: delete_user awaits between deleting the children and the
  user, so a task cancelled there leaves a user without its rows;
* one connection used by two tasks at once: the instance keeps the statement in flight on itself (as a
  single shared connection's protocol state does), so a task interleaving with another runs the other's;
* a blocking driver call inside a coroutine: get_user goes through the synchronous psycopg adapter, which
  is correct and certified, and stalls the event loop for every round trip.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from adapter_contracts import async_adapter_factory, check_key, limits
from adapter_contracts.adapters.memory_async import AsyncMemoryAdapter
from adapter_contracts.adapters.postgres import PostgresAdapter
from adapter_contracts.adapters.postgres_async import AsyncPostgresAdapter
from adapter_contracts.adapters.records import JSONObject, User, UserWorkspace

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.base import Endpoint


class CascadeUnsafeUnderCancellation(AsyncMemoryAdapter):
    """delete_user removes the user's rows, yields to the loop, then removes the user."""

    async def delete_user(self, user_id: str) -> bool:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        await asyncio.sleep(0)
        store = self.reference.store
        with store.lock:
            for table in (store.setups, store.workspaces):
                table.pop(user_id, None)
        await asyncio.sleep(0)  # the await point a cancellation lands on, children gone, user still there
        return self.reference.delete_user(user_id)


class ConnectionSharedByTasks(AsyncMemoryAdapter):
    """save_user_workspace keeps the row in flight on the instance while it waits for its 'connection'."""

    async def save_user_workspace(self, user_id: str, workspace: JSONObject) -> UserWorkspace:
        self._in_flight: tuple[str, JSONObject] = (user_id, workspace)
        await asyncio.sleep(0)  # another task's call overwrites the statement in flight here
        return self.reference.save_user_workspace(*self._in_flight)


class BlockingDriverCall(AsyncPostgresAdapter):
    """get_user runs on a synchronous psycopg connection opened for the call: right answers (the sync
    adapter's), the event loop blocked for every round trip."""

    def __init__(self, conninfo: str) -> None:
        super().__init__(conninfo)
        self._conninfo = conninfo

    async def get_user(self, user_id: str) -> User | None:
        with PostgresAdapter(self._conninfo) as sync:
            return sync.get_user(user_id)


@async_adapter_factory(engine="memory-async")
async def cascade_unsafe_under_cancellation(endpoint: Endpoint) -> Any:
    return CascadeUnsafeUnderCancellation(endpoint.extra["store"])


@async_adapter_factory(engine="memory-async")
async def connection_shared_by_tasks(endpoint: Endpoint) -> Any:
    return ConnectionSharedByTasks(endpoint.extra["store"])


@async_adapter_factory(engine="postgres-async")
async def blocking_driver_call(endpoint: Endpoint) -> Any:
    return BlockingDriverCall(endpoint.dsn)
