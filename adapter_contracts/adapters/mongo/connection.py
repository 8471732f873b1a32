"""One database's collections, and the single-document steps every write is made of."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pymongo import ASCENDING, ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.cursor import keyset_page
from adapter_contracts.adapters.errors import MissingReference
from adapter_contracts.adapters.mongo.paging import page_filter
from adapter_contracts.adapters.mongo.translation import _driver_errors
from adapter_contracts.adapters.records import Page

Doc = dict[str, Any]
R = TypeVar("R")

#: The ten entity collections of the reference schema.
COLLECTIONS: tuple[str, ...] = (
    "users", "user_setup", "user_workspace", "user_integrations", "campaigns", "clients",
    "admin_clients", "client_oauth", "client_campaigns", "client_billing",
)
#: Sequence numbers for billing insertion order; never emptied, so seq only grows.
COUNTERS = "counters"
_BILLING_SEQ = "client_billing"


class MongoConnection(Adapter):
    """The adapter over one database of a MongoDB server (or of a mongomock client)."""

    def __init__(self, client: Any, database: str) -> None:
        self._client = client
        db = client[database]
        self._users: Collection[Doc] = db["users"]
        self._setup: Collection[Doc] = db["user_setup"]
        self._workspace: Collection[Doc] = db["user_workspace"]
        self._integrations: Collection[Doc] = db["user_integrations"]
        self._campaigns: Collection[Doc] = db["campaigns"]
        self._clients: Collection[Doc] = db["clients"]
        self._admins: Collection[Doc] = db["admin_clients"]
        self._oauth: Collection[Doc] = db["client_oauth"]
        self._client_campaigns: Collection[Doc] = db["client_campaigns"]
        self._billing: Collection[Doc] = db["client_billing"]
        self._counters: Collection[Doc] = db[COUNTERS]
        self._db = db

    def close(self) -> None:
        with _driver_errors():
            self._client.close()

    # -- shared steps --------------------------------------------------------

    @staticmethod
    def _exists(collection: Collection[Doc], query: Doc) -> bool:
        return collection.find_one(query, {"_id": 1}) is not None

    def _require(self, collection: Collection[Doc], key: str, field: str) -> None:
        if not self._exists(collection, {"_id": key}):
            raise MissingReference(field)

    def _confirm(self, collection: Collection[Doc], key: str, field: str, undo: Callable[[], object]) -> None:
        """Re-check a parent after writing its child (see the module doc on cascades)."""
        if not self._exists(collection, {"_id": key}):
            undo()
            raise MissingReference(field)

    @staticmethod
    def _upsert(collection: Collection[Doc], key: Doc, values: Doc) -> None:
        """Insert or replace by a unique key, setting whole values (never payload paths)."""
        try:
            collection.update_one(key, {"$set": values}, upsert=True)
        except DuplicateKeyError:
            # Two upserts both missed and both inserted; the loser now finds the winner's row.
            collection.update_one(key, {"$set": values}, upsert=True)

    def _next_seq(self) -> int:
        query, inc = {"_id": _BILLING_SEQ}, {"$inc": {"seq": 1}}
        try:
            doc = self._counters.find_one_and_update(query, inc, upsert=True, return_document=ReturnDocument.AFTER)
        except DuplicateKeyError:  # the counter's first use raced another process
            doc = self._counters.find_one_and_update(query, inc, upsert=True, return_document=ReturnDocument.AFTER)
        assert doc is not None
        return int(doc["seq"])

    def _page(
        self, collection: Collection[Doc], query: Doc, order: tuple[str, str],
        page: tuple[str, int | None, str | None, type], convert: Callable[[Doc], R],
        key: Callable[[R], tuple[int, str | int]],
    ) -> Page[R]:
        """One page of ``collection``'s documents matching ``query``, in ``order``.

        ``page`` is (scope, limit, after, type of the key's tail).
        """
        scope, limit, after, tail_type = page
        found = page_filter(query, order, scope, after, tail_type)
        if found is None:
            return Page((), None)
        cursor = collection.find(found).sort([(order[0], ASCENDING), (order[1], ASCENDING)])
        if limit is not None:
            cursor = cursor.limit(limit + 1)
        return keyset_page([convert(doc) for doc in cursor], limit=limit, scope=scope, key=key)
