"""One database's collections, and the single-document steps every write is made of.

Every driver call goes through :class:`Collection`, which runs it inside
``translate_errors`` (translation.py) and returns plain values: cursors are read
to the end inside the call, so no driver error can surface later, while the
caller iterates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pymongo.collection
from pymongo import ASCENDING, ReturnDocument

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.cursor import keyset_page
from adapter_contracts.adapters.errors import Conflict, MissingReference, translate_errors
from adapter_contracts.adapters.mongo.paging import page_filter
from adapter_contracts.adapters.mongo.translation import DRIVER_ERRORS, translate
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


class Collection:
    """One collection whose calls raise the contract's errors, never the driver's."""

    __slots__ = ("_collection",)

    def __init__(self, collection: pymongo.collection.Collection[Doc]) -> None:
        self._collection = collection

    def find_one(self, query: Doc, projection: Doc | None = None) -> Doc | None:
        with translate_errors(DRIVER_ERRORS, translate):
            return self._collection.find_one(query, projection)

    def find(self, query: Doc, *, order: Sequence[str] = (), limit: int | None = None) -> list[Doc]:
        """The matching documents, ascending by the ``order`` fields, at most ``limit`` of them."""
        with translate_errors(DRIVER_ERRORS, translate):
            cursor = self._collection.find(query)
            if order:
                cursor = cursor.sort([(field, ASCENDING) for field in order])
            if limit is not None:
                cursor = cursor.limit(limit)
            return list(cursor)

    def insert_one(self, doc: Doc) -> None:
        with translate_errors(DRIVER_ERRORS, translate):
            self._collection.insert_one(doc)

    def update_one(self, query: Doc, update: Doc, *, upsert: bool = False) -> None:
        with translate_errors(DRIVER_ERRORS, translate):
            self._collection.update_one(query, update, upsert=upsert)

    def update_many(self, query: Doc, update: Doc) -> None:
        with translate_errors(DRIVER_ERRORS, translate):
            self._collection.update_many(query, update)

    def find_one_and_update(self, query: Doc, update: Doc, *, upsert: bool = False) -> Doc | None:
        """The document after the update, or None when none matched (and ``upsert`` is off)."""
        with translate_errors(DRIVER_ERRORS, translate):
            return self._collection.find_one_and_update(
                query, update, upsert=upsert, return_document=ReturnDocument.AFTER)

    def delete_one(self, query: Doc) -> int:
        """How many documents were deleted: 0 or 1."""
        with translate_errors(DRIVER_ERRORS, translate):
            return int(self._collection.delete_one(query).deleted_count)

    def delete_many(self, query: Doc) -> int:
        with translate_errors(DRIVER_ERRORS, translate):
            return int(self._collection.delete_many(query).deleted_count)

    def aggregate(self, pipeline: list[Doc]) -> list[Doc]:
        with translate_errors(DRIVER_ERRORS, translate):
            return list(self._collection.aggregate(pipeline))

    def create_index(self, keys: Sequence[str], *, unique: bool) -> None:
        with translate_errors(DRIVER_ERRORS, translate):
            self._collection.create_index([(key, ASCENDING) for key in keys], unique=unique)


class MongoConnection(Adapter):
    """The adapter over one database of a MongoDB server (or of a mongomock client)."""

    def __init__(self, client: Any, database: str) -> None:
        self._client = client
        db = client[database]
        self._users = Collection(db["users"])
        self._setup = Collection(db["user_setup"])
        self._workspace = Collection(db["user_workspace"])
        self._integrations = Collection(db["user_integrations"])
        self._campaigns = Collection(db["campaigns"])
        self._clients = Collection(db["clients"])
        self._admins = Collection(db["admin_clients"])
        self._oauth = Collection(db["client_oauth"])
        self._client_campaigns = Collection(db["client_campaigns"])
        self._billing = Collection(db["client_billing"])
        self._counters = Collection(db[COUNTERS])
        self._db = db

    def _collection(self, name: str) -> Collection:
        return Collection(self._db[name])

    def close(self) -> None:
        with translate_errors(DRIVER_ERRORS, translate):
            self._client.close()

    # -- shared steps --------------------------------------------------------

    @staticmethod
    def _exists(collection: Collection, query: Doc) -> bool:
        return collection.find_one(query, {"_id": 1}) is not None

    def _require(self, collection: Collection, key: str, field: str) -> None:
        if not self._exists(collection, {"_id": key}):
            raise MissingReference(field)

    def _confirm(self, collection: Collection, key: str, field: str, undo: Callable[[], object]) -> None:
        """Re-check a parent after writing its child (see the module doc on cascades)."""
        if not self._exists(collection, {"_id": key}):
            undo()
            raise MissingReference(field)

    @staticmethod
    def _upsert(collection: Collection, key: Doc, values: Doc) -> None:
        """Insert or replace by a unique key, setting whole values (never payload paths)."""
        try:
            collection.update_one(key, {"$set": values}, upsert=True)
        except Conflict:
            # Two upserts both missed and both inserted; the loser now finds the winner's row.
            collection.update_one(key, {"$set": values}, upsert=True)

    def _next_seq(self) -> int:
        query, inc = {"_id": _BILLING_SEQ}, {"$inc": {"seq": 1}}
        try:
            doc = self._counters.find_one_and_update(query, inc, upsert=True)
        except Conflict:  # the counter's first use raced another process
            doc = self._counters.find_one_and_update(query, inc, upsert=True)
        assert doc is not None
        return int(doc["seq"])

    def _page(
        self, collection: Collection, query: Doc, order: tuple[str, str],
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
        docs = collection.find(found, order=order, limit=None if limit is None else limit + 1)
        return keyset_page([convert(doc) for doc in docs], limit=limit, scope=scope, key=key)
