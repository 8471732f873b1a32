"""One database's collections through pymongo's ``AsyncMongoClient``, and the single-document steps.

The sync adapter's design (``adapters/mongo/``) with every driver call awaited:
no multi-document transactions, so a cascade is children, parent, children
again, and a child write re-checks its parent and undoes itself.  What asyncio
adds is cancellation: a task cancelled between two of those steps would leave
a cascade half done, which on a standalone server nothing rolls back.  So every
write runs shielded (:func:`shielded`): in a task of its own that a cancelled
caller does not stop; the caller gets its ``CancelledError`` (or
``asyncio.timeout``'s ``TimeoutError``) at once, and the write completes on the
loop.  :meth:`AsyncMongoConnection.close` waits (bounded) for the writes still
running.  pymongo's async client is safe for many tasks at once (a pool), so
tasks sharing an instance need no turns.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, ParamSpec, TypeVar

from pymongo import ASCENDING, ReturnDocument

from adapter_contracts.adapters.async_base import AsyncAdapter
from adapter_contracts.adapters.cursor import keyset_page
from adapter_contracts.adapters.errors import AdapterError, Conflict, MissingReference
from adapter_contracts.adapters.mongo.connection import COUNTERS
from adapter_contracts.adapters.mongo.paging import page_filter
from adapter_contracts.adapters.mongo.translation import DRIVER_ERRORS, translate
from adapter_contracts.adapters.records import Page

Doc = dict[str, Any]
R = TypeVar("R")
P = ParamSpec("P")

_BILLING_SEQ = "client_billing"
#: Seconds close() waits for shielded writes still running.
CLOSE_TIMEOUT = 30.0


def _translated(exc: Exception) -> AdapterError:
    return translate(exc)


class AsyncCollection:
    """One async collection whose calls raise the contract's errors, never the driver's."""

    __slots__ = ("_collection",)

    def __init__(self, collection: Any) -> None:
        self._collection = collection

    async def find_one(self, query: Doc, projection: Doc | None = None) -> Doc | None:
        try:
            found: Doc | None = await self._collection.find_one(query, projection)
        except DRIVER_ERRORS as exc:
            raise _translated(exc) from None
        return found

    async def find(self, query: Doc, *, order: Sequence[str] = (), limit: int | None = None) -> list[Doc]:
        """The matching documents, ascending by the ``order`` fields, at most ``limit`` of them."""
        try:
            cursor = self._collection.find(query)
            if order:
                cursor = cursor.sort([(field, ASCENDING) for field in order])
            if limit is not None:
                cursor = cursor.limit(limit)
            docs: list[Doc] = await cursor.to_list(None)
        except DRIVER_ERRORS as exc:
            raise _translated(exc) from None
        return docs

    async def insert_one(self, doc: Doc) -> None:
        try:
            await self._collection.insert_one(doc)
        except DRIVER_ERRORS as exc:
            raise _translated(exc) from None

    async def update_one(self, query: Doc, update: Doc, *, upsert: bool = False) -> None:
        try:
            await self._collection.update_one(query, update, upsert=upsert)
        except DRIVER_ERRORS as exc:
            raise _translated(exc) from None

    async def update_many(self, query: Doc, update: Doc) -> None:
        try:
            await self._collection.update_many(query, update)
        except DRIVER_ERRORS as exc:
            raise _translated(exc) from None

    async def find_one_and_update(self, query: Doc, update: Doc, *, upsert: bool = False) -> Doc | None:
        try:
            found: Doc | None = await self._collection.find_one_and_update(
                query, update, upsert=upsert, return_document=ReturnDocument.AFTER)
        except DRIVER_ERRORS as exc:
            raise _translated(exc) from None
        return found

    async def delete_one(self, query: Doc) -> int:
        try:
            return int((await self._collection.delete_one(query)).deleted_count)
        except DRIVER_ERRORS as exc:
            raise _translated(exc) from None

    async def delete_many(self, query: Doc) -> int:
        try:
            return int((await self._collection.delete_many(query)).deleted_count)
        except DRIVER_ERRORS as exc:
            raise _translated(exc) from None

    async def aggregate(self, pipeline: list[Doc]) -> list[Doc]:
        try:
            cursor = await self._collection.aggregate(pipeline)
            docs: list[Doc] = await cursor.to_list(None)
        except DRIVER_ERRORS as exc:
            raise _translated(exc) from None
        return docs

    async def create_index(self, keys: Sequence[str], *, unique: bool) -> None:
        try:
            await self._collection.create_index([(key, ASCENDING) for key in keys], unique=unique)
        except DRIVER_ERRORS as exc:
            raise _translated(exc) from None


def shielded(method: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Run the write ``method`` in a task of its own that cancelling the caller does not stop."""

    @functools.wraps(method)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        self = args[0]
        assert isinstance(self, AsyncMongoConnection)
        task = asyncio.ensure_future(method(*args, **kwargs))
        self._writes.add(task)
        task.add_done_callback(self._write_done)
        return await asyncio.shield(task)

    return run


class AsyncMongoConnection(AsyncAdapter):
    """The adapter over one database of a MongoDB server, through an asyncio client."""

    def __init__(self, client: Any, database: str) -> None:
        self._client = client
        db = client[database]
        self._users = AsyncCollection(db["users"])
        self._setup = AsyncCollection(db["user_setup"])
        self._workspace = AsyncCollection(db["user_workspace"])
        self._integrations = AsyncCollection(db["user_integrations"])
        self._campaigns = AsyncCollection(db["campaigns"])
        self._clients = AsyncCollection(db["clients"])
        self._admins = AsyncCollection(db["admin_clients"])
        self._oauth = AsyncCollection(db["client_oauth"])
        self._client_campaigns = AsyncCollection(db["client_campaigns"])
        self._billing = AsyncCollection(db["client_billing"])
        self._counters = AsyncCollection(db[COUNTERS])
        self._db = db
        #: Shielded writes still running (their callers may have been cancelled).
        self._writes: set[asyncio.Future[Any]] = set()

    def _write_done(self, task: asyncio.Future[Any]) -> None:
        self._writes.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: a cancelled caller's write may end in an error no one awaits

    def _collection(self, name: str) -> AsyncCollection:
        return AsyncCollection(self._db[name])

    async def close(self) -> None:
        if self._writes:
            await asyncio.wait(set(self._writes), timeout=CLOSE_TIMEOUT)
        try:
            await self._client.close()
        except DRIVER_ERRORS as exc:
            raise _translated(exc) from None

    # -- shared steps --------------------------------------------------------

    @staticmethod
    async def _exists(collection: AsyncCollection, query: Doc) -> bool:
        return await collection.find_one(query, {"_id": 1}) is not None

    async def _require(self, collection: AsyncCollection, key: str, field: str) -> None:
        if not await self._exists(collection, {"_id": key}):
            raise MissingReference(field)

    async def _confirm(self, collection: AsyncCollection, key: str, field: str,
                       undo: Callable[[], Awaitable[object]]) -> None:
        """Re-check a parent after writing its child (see the sync adapter's module doc on cascades)."""
        if not await self._exists(collection, {"_id": key}):
            await undo()
            raise MissingReference(field)

    @staticmethod
    async def _upsert(collection: AsyncCollection, key: Doc, values: Doc) -> None:
        try:
            await collection.update_one(key, {"$set": values}, upsert=True)
        except Conflict:
            # Two upserts both missed and both inserted; the loser now finds the winner's row.
            await collection.update_one(key, {"$set": values}, upsert=True)

    async def _next_seq(self) -> int:
        query, inc = {"_id": _BILLING_SEQ}, {"$inc": {"seq": 1}}
        try:
            doc = await self._counters.find_one_and_update(query, inc, upsert=True)
        except Conflict:
            doc = await self._counters.find_one_and_update(query, inc, upsert=True)
        assert doc is not None
        return int(doc["seq"])

    async def _page(
        self, collection: AsyncCollection, query: Doc, order: tuple[str, str],
        page: tuple[str, int | None, str | None, type], convert: Callable[[Doc], R],
        key: Callable[[R], tuple[int, str | int]],
    ) -> Page[R]:
        scope, limit, after, tail_type = page
        found = page_filter(query, order, scope, after, tail_type)
        if found is None:
            return Page((), None)
        docs = await collection.find(found, order=order, limit=None if limit is None else limit + 1)
        return keyset_page([convert(doc) for doc in docs], limit=limit, scope=scope, key=key)
