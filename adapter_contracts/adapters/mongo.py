"""MongoDB adapter (pymongo), written for a standalone server: no multi-document transactions.

Collections and field names follow the reference schema (``users`` with
``passwordHash``/``createdAt``, ``user_setup`` with ``userId``...).  Deviations
from it, each forced by a contract:

* Timestamps stay strings, but always in one fixed-width UTC format
  (``YYYY-MM-DDTHH:MM:SS.mmmZ``): string order must equal time order for the
  window and keyset queries, and ``isoformat()`` output does not sort.
* Amounts are Decimal128, not doubles: sums must be exact (ten times 0.1 is 1).
* ``client_billing`` documents carry ``seq`` from the ``counters`` collection:
  ObjectIds are not monotonic across processes, and entries are ordered by
  (timestamp, insertion order).  The entry id is ``str(seq)``.
* Unique indexes the seed forgot (``user_setup.userId``,
  ``user_workspace.userId``, admin/client pairs, client/platform pairs) exist,
  so that two concurrent upserts cannot insert twice.

Without transactions, parent checks and cascades are sequences of single-
document operations.  A cascade deletes the children, then the parent, then
sweeps the children again; a child write checks its parent before writing and
again after, undoing its write when the parent vanished in between.  Children
first means an interrupted cascade is repaired by retrying the delete (the
first sweep runs even when the parent is already gone).  The second sweep plus
the re-check close the race with a concurrent child write: a write landing
after the final sweep sees the parent gone in its re-check.  What remains: a
reader may observe the intermediate states (children gone, parent still
there; or a child whose write is about to be undone).

Payload keys may contain "." or start with "$" (MongoDB >= 5.0 stores them
when nested, and mongomock stores them too): payloads are always written as
whole values (``{"$set": {"data": payload}}``), never flattened into paths.
Two decoding quirks of pymongo's BSON layer, which mongomock never goes
through, would break the round trip on a real server: integers beyond 32 bits
come back as ``bson.Int64`` (an int subclass: equal, but not the same JSON
type), and any object shaped like a DBRef (``$ref`` string plus ``$id``) comes
back as a ``DBRef``, losing a null ``$db``.  :func:`encode_payload` stores such
objects (and objects shaped like the escape itself) as
``{"$$literal": [k1, v1, k2, v2, ...]}``; :func:`decode_payload` reverses it
and turns Int64 back into int.  Every other payload is stored as is.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from typing import Any, ClassVar, ParamSpec, TypeVar

from bson.dbref import DBRef
from bson.decimal128 import Decimal128
from bson.errors import InvalidDocument
from pymongo import ASCENDING, ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import ConnectionFailure, DuplicateKeyError, PyMongoError

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.base import UNSET, Adapter, Unset
from adapter_contracts.adapters.cursor import decode_cursor, encode_cursor, listing_scope
from adapter_contracts.adapters.errors import (
    AdapterError,
    Conflict,
    MissingReference,
    NotFound,
    StorageUnavailable,
    Unsupported,
    ValidationError,
)
from adapter_contracts.adapters.inputs import new_campaign, new_client, new_client_campaign, new_user, user_changes
from adapter_contracts.adapters.records import (
    BillingEntry,
    BillingTotals,
    Campaign,
    Client,
    ClientCampaign,
    ClientOAuth,
    JSONObject,
    Page,
    User,
    UserIntegration,
    UserSetup,
    UserWorkspace,
)
from adapter_contracts.adapters.validation import (
    check_bool,
    check_email,
    check_key,
    check_limit,
    check_payload,
    check_timestamp,
    check_usage,
    check_window,
    epoch_ms,
    from_epoch_ms,
)

_USER_FIELDS = {"email": "email", "password_hash": "passwordHash", "name": "name"}

__all__ = [
    "COLLECTIONS", "COUNTERS", "MongoAdapter", "decode_payload", "encode_payload", "format_timestamp",
    "parse_timestamp",
]

P = ParamSpec("P")
R = TypeVar("R")
Doc = dict[str, Any]

#: The ten entity collections of the reference schema.
COLLECTIONS: tuple[str, ...] = (
    "users", "user_setup", "user_workspace", "user_integrations", "campaigns", "clients",
    "admin_clients", "client_oauth", "client_campaigns", "client_billing",
)
#: Sequence numbers for billing insertion order; never emptied, so seq only grows.
COUNTERS = "counters"
_BILLING_SEQ = "client_billing"

#: (collection, keys, unique).  The first five are the seed's; the rest are
#: the unique keys it forgot and the indexes the cascades and listings use.
_INDEXES: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("users", ("email",), True),
    ("user_integrations", ("userId", "category", "provider"), True),
    ("campaigns", ("userId", "createdAt"), False),
    ("client_campaigns", ("clientId",), False),
    ("client_billing", ("clientId", "timestamp"), False),
    ("user_setup", ("userId",), True),
    ("user_workspace", ("userId",), True),
    ("admin_clients", ("adminId", "clientId"), True),
    ("admin_clients", ("clientId",), False),
    ("client_oauth", ("clientId", "platform"), True),
    ("client_billing", ("clientId", "timestamp", "seq"), False),
    ("client_billing", ("adminId",), False),
    ("clients", ("createdAt", "_id"), False),
)

_MAX_MS = epoch_ms(limits.TIME_MAX)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


# -- conversions ---------------------------------------------------------------


def format_timestamp(value: datetime) -> str:
    """The stored form of a validated (UTC, millisecond) datetime: fixed width, so it sorts."""
    utc = value.astimezone(UTC)
    return f"{utc.year:04d}-{utc:%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def parse_timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


_LITERAL = "$$literal"


def _escaped(obj: Mapping[str, Any]) -> bool:
    """True for the objects pymongo would decode as a DBRef, and for the escape's own shape."""
    if list(obj) == [_LITERAL]:
        return True
    return isinstance(obj.get("$ref"), str) and "$id" in obj and isinstance(obj.get("$db"), (str, type(None)))


def encode_payload(value: Any) -> Any:
    """The stored form of a validated payload (see the module doc): the payload itself, mostly."""
    if isinstance(value, dict):
        encoded = {key: encode_payload(item) for key, item in value.items()}
        if _escaped(value):
            # A flat list costs one nesting level, not two: depth 30 stays far below BSON's 100.
            return {_LITERAL: [part for pair in encoded.items() for part in pair]}
        return encoded
    if isinstance(value, list):
        return [encode_payload(item) for item in value]
    return value


def decode_payload(value: Any) -> Any:
    """The payload of a stored form, as plain dict/list/str/int/float/bool/None."""
    if isinstance(value, DBRef):  # written by other code than this adapter
        value = dict(value.as_doc())
    if isinstance(value, dict):
        if list(value) == [_LITERAL] and isinstance(value[_LITERAL], list):
            flat = value[_LITERAL]
            return {key: decode_payload(item) for key, item in zip(flat[0::2], flat[1::2], strict=True)}
        return {key: decode_payload(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode_payload(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)  # bson.Int64 -> int
    return value


def _amount(value: object) -> Decimal:
    if isinstance(value, Decimal128):
        return value.to_decimal()
    # Rows written by the seed's code hold doubles; str() gives their shortest repr.
    return Decimal(str(value))


def _dup_field(exc: DuplicateKeyError) -> str:
    pattern = (exc.details or {}).get("keyPattern") or {}
    return "email" if "email" in pattern else "id"


@contextmanager
def _driver_errors() -> Iterator[None]:
    try:
        yield
    except AdapterError:
        raise
    except DuplicateKeyError as exc:
        raise Conflict(_dup_field(exc)) from exc
    except ConnectionFailure as exc:  # AutoReconnect, ServerSelectionTimeoutError, NetworkTimeout
        raise StorageUnavailable(f"MongoDB unreachable: {type(exc).__name__}") from exc
    except (InvalidDocument, OverflowError) as exc:  # validation should make these unreachable
        raise ValidationError("document", f"not encodable as BSON: {exc}") from exc
    except PyMongoError as exc:
        raise AdapterError(f"MongoDB error: {type(exc).__name__}: {exc}") from exc


def _mapped(method: Callable[P, R]) -> Callable[P, R]:
    """Translate driver exceptions escaping ``method`` into adapter errors."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with _driver_errors():
            return method(*args, **kwargs)

    return wrapper


def _window(field: str, lo: datetime | None, hi: datetime | None) -> Doc:
    bounds: Doc = {}
    if lo is not None:
        bounds["$gte"] = format_timestamp(lo)
    if hi is not None:
        bounds["$lt"] = format_timestamp(hi)
    return {field: bounds} if bounds else {}


def _after(field: str, tiebreak: str, ms: int, key: object) -> Doc | None:
    """Rows whose (field, tiebreak) sorts after the cursor key; None when no row can."""
    if ms < 0:
        return {}  # every stored time is >= 1970, so every row is after it
    if ms > _MAX_MS:
        return None
    ts = format_timestamp(from_epoch_ms(ms))
    op = "$gt"
    if isinstance(key, int):
        key = min(max(key, _INT64_MIN), _INT64_MAX)  # stored seqs lie well inside int64
    elif isinstance(key, str):
        # A forged cursor may hold a lone surrogate, which BSON cannot encode.  No
        # stored id holds one, so "id > p + surrogate + rest" is "id >= p + U+E000".
        for index, char in enumerate(key):
            if "\ud800" <= char <= "\udfff":
                key, op = key[:index] + "\ue000", "$gte"
                break
    return {"$or": [{field: {"$gt": ts}}, {field: ts, tiebreak: {op: key}}]}


def _user(doc: Mapping[str, Any]) -> User:
    return User(doc["_id"], doc["email"], doc["passwordHash"], doc.get("name"), parse_timestamp(doc["createdAt"]))


def _setup(doc: Mapping[str, Any]) -> UserSetup:
    completed = doc.get("completedAt")
    return UserSetup(
        doc["userId"], doc["isSetupComplete"],
        None if completed is None else parse_timestamp(completed), decode_payload(doc.get("setupData")),
    )


def _integration(doc: Mapping[str, Any]) -> UserIntegration:
    return UserIntegration(doc["userId"], doc["category"], doc["provider"], decode_payload(doc["data"]))


def _campaign(doc: Mapping[str, Any]) -> Campaign:
    return Campaign(doc["_id"], doc["userId"], parse_timestamp(doc["createdAt"]), decode_payload(doc["payload"]))


def _client(doc: Mapping[str, Any]) -> Client:
    return Client(doc["_id"], parse_timestamp(doc["createdAt"]), decode_payload(doc["payload"]))


def _oauth(doc: Mapping[str, Any]) -> ClientOAuth:
    return ClientOAuth(doc["clientId"], doc["platform"], decode_payload(doc["data"]))


def _client_campaign(doc: Mapping[str, Any]) -> ClientCampaign:
    return ClientCampaign(doc["_id"], doc["clientId"], decode_payload(doc["payload"]))


def _billing(doc: Mapping[str, Any]) -> BillingEntry:
    return BillingEntry(
        str(doc["seq"]), doc["clientId"], parse_timestamp(doc["timestamp"]),
        _amount(doc["tokensUsed"]), _amount(doc["cost"]), doc.get("adminId"),
    )


class MongoAdapter(Adapter):
    """The adapter over one database of a MongoDB server (or of a mongomock client)."""

    unsupported: ClassVar[Mapping[str, type[AdapterError]]] = {"usage_batch": Unsupported}

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

    # -- lifecycle -----------------------------------------------------------

    @_mapped
    def create_schema(self) -> None:
        # Same keys, same default names: create_index is a no-op when the index exists.
        for collection, keys, unique in _INDEXES:
            self._db[collection].create_index([(k, ASCENDING) for k in keys], unique=unique)

    def expected_schema(self) -> dict[str, Any]:
        declared: dict[str, Any] = json.loads(
            resources.files("adapter_contracts.adapters").joinpath("mongo.schema.json").read_text(encoding="utf-8"))
        return declared

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

    @staticmethod
    def _page(
        collection: Collection[Doc], query: Doc, sort: tuple[str, str], scope: str,
        limit: int | None, after: str | None, convert: Callable[[Doc], R], key: Callable[[Doc], tuple[int, Any]],
        tiebreak_type: type,
    ) -> Page[R]:
        if after is not None:
            ms, last = decode_cursor(after, scope, int, tiebreak_type)
            assert isinstance(ms, int)
            later = _after(sort[0], sort[1], ms, last)
            if later is None:
                return Page((), None)
            if later:
                query = {"$and": [query, later]} if query else later
        cursor = collection.find(query).sort([(sort[0], ASCENDING), (sort[1], ASCENDING)])
        if limit is not None:
            cursor = cursor.limit(limit + 1)
        docs = list(cursor)
        if limit is None or len(docs) <= limit:
            return Page(tuple(convert(d) for d in docs), None)
        docs = docs[:limit]
        return Page(tuple(convert(d) for d in docs), encode_cursor(scope, *key(docs[-1])))

    # -- users ---------------------------------------------------------------

    @_mapped
    def create_user(
        self,
        *,
        email: str,
        password_hash: str,
        name: str | None = None,
        id: str | None = None,
        created_at: datetime | None = None,
    ) -> User:
        user = new_user(email=email, password_hash=password_hash, name=name, id=id, created_at=created_at)
        doc = {
            "_id": user.id, "email": user.email, "name": user.name,
            "passwordHash": user.password_hash, "createdAt": format_timestamp(user.created_at),
        }
        try:
            self._users.insert_one(doc)
        except DuplicateKeyError:
            # Asked, not read from the error: mongomock gives no keyPattern, and a
            # clash on both keys must name the id (as the reference does).
            raise Conflict("id" if self._exists(self._users, {"_id": user.id}) else "email") from None
        return user

    @_mapped
    def get_user(self, user_id: str) -> User | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        doc = self._users.find_one({"_id": user_id})
        return None if doc is None else _user(doc)

    @_mapped
    def get_user_by_email(self, email: str) -> User | None:
        doc = self._users.find_one({"email": check_email(email)})
        return None if doc is None else _user(doc)

    @_mapped
    def update_user(
        self,
        user_id: str,
        *,
        email: str | Unset = UNSET,
        password_hash: str | Unset = UNSET,
        name: str | Unset | None = UNSET,
    ) -> User:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        fields = user_changes(email=email, password_hash=password_hash, name=name)
        changes: Doc = {_USER_FIELDS[key]: value for key, value in fields.items()}
        if not changes:
            doc = self._users.find_one({"_id": user_id})
        else:
            try:
                doc = self._users.find_one_and_update(
                    {"_id": user_id}, {"$set": changes}, return_document=ReturnDocument.AFTER
                )
            except DuplicateKeyError:
                raise Conflict("email") from None
        if doc is None:
            raise NotFound("user", user_id)
        return _user(doc)

    def _delete_user_children(self, user_id: str) -> None:
        for collection in (self._setup, self._workspace, self._integrations, self._campaigns):
            collection.delete_many({"userId": user_id})
        self._admins.delete_many({"adminId": user_id})
        self._billing.update_many({"adminId": user_id}, {"$set": {"adminId": None}})

    @_mapped
    def delete_user(self, user_id: str) -> bool:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        self._delete_user_children(user_id)
        deleted = self._users.delete_one({"_id": user_id}).deleted_count == 1
        if deleted:
            self._delete_user_children(user_id)
        return deleted

    # -- user setup and workspace -------------------------------------------

    @_mapped
    def get_user_setup(self, user_id: str) -> UserSetup | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        doc = self._setup.find_one({"userId": user_id})
        return None if doc is None else _setup(doc)

    @_mapped
    def save_user_setup(
        self,
        user_id: str,
        *,
        is_setup_complete: bool,
        completed_at: datetime | None = None,
        setup_data: JSONObject | None = None,
    ) -> UserSetup:
        setup = UserSetup(
            user_id=check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX),
            is_setup_complete=check_bool(is_setup_complete, field="is_setup_complete"),
            completed_at=None if completed_at is None else check_timestamp(completed_at, field="completed_at"),
            setup_data=None if setup_data is None else check_payload(setup_data, field="setup_data"),
        )
        key = {"userId": setup.user_id}
        self._require(self._users, setup.user_id, "user_id")
        self._upsert(self._setup, key, {
            "isSetupComplete": setup.is_setup_complete,
            "completedAt": None if setup.completed_at is None else format_timestamp(setup.completed_at),
            "setupData": encode_payload(setup.setup_data),
        })
        self._confirm(self._users, setup.user_id, "user_id", lambda: self._setup.delete_one(key))
        return setup

    @_mapped
    def get_user_workspace(self, user_id: str) -> UserWorkspace | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        doc = self._workspace.find_one({"userId": user_id})
        return None if doc is None else UserWorkspace(doc["userId"], decode_payload(doc["workspace"]))

    @_mapped
    def save_user_workspace(self, user_id: str, workspace: JSONObject) -> UserWorkspace:
        row = UserWorkspace(
            user_id=check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX),
            workspace=check_payload(workspace, field="workspace"),
        )
        key = {"userId": row.user_id}
        self._require(self._users, row.user_id, "user_id")
        self._upsert(self._workspace, key, {"workspace": encode_payload(row.workspace)})
        self._confirm(self._users, row.user_id, "user_id", lambda: self._workspace.delete_one(key))
        return row

    # -- user integrations ---------------------------------------------------

    @staticmethod
    def _integration_key(user_id: str, category: str, provider: str) -> Doc:
        return {
            "userId": check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX),
            "category": check_key(category, field="category", max_len=limits.CATEGORY_MAX),
            "provider": check_key(provider, field="provider", max_len=limits.PROVIDER_MAX),
        }

    @_mapped
    def save_integration(
        self, user_id: str, category: str, provider: str, data: JSONObject
    ) -> UserIntegration:
        key = self._integration_key(user_id, category, provider)
        row = UserIntegration(key["userId"], key["category"], key["provider"], check_payload(data, field="data"))
        self._require(self._users, row.user_id, "user_id")
        self._upsert(self._integrations, key, {"data": encode_payload(row.data)})
        self._confirm(self._users, row.user_id, "user_id", lambda: self._integrations.delete_one(key))
        return row

    @_mapped
    def get_integration(self, user_id: str, category: str, provider: str) -> UserIntegration | None:
        doc = self._integrations.find_one(self._integration_key(user_id, category, provider))
        return None if doc is None else _integration(doc)

    @_mapped
    def list_integrations(self, user_id: str, *, category: str | None = None) -> list[UserIntegration]:
        query: Doc = {"userId": check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)}
        if category is not None:
            query["category"] = check_key(category, field="category", max_len=limits.CATEGORY_MAX)
        # Sorted here, in code-point order, whatever collation the collection may carry.
        rows = [_integration(d) for d in self._integrations.find(query)]
        return sorted(rows, key=lambda r: (r.category, r.provider))

    @_mapped
    def delete_integration(self, user_id: str, category: str, provider: str) -> bool:
        key = self._integration_key(user_id, category, provider)
        return self._integrations.delete_one(key).deleted_count == 1

    # -- campaigns -----------------------------------------------------------

    @_mapped
    def create_campaign(
        self,
        *,
        user_id: str,
        payload: JSONObject,
        id: str | None = None,
        created_at: datetime | None = None,
    ) -> Campaign:
        row = new_campaign(user_id=user_id, payload=payload, id=id, created_at=created_at)
        self._require(self._users, row.user_id, "user_id")
        try:
            self._campaigns.insert_one({
                "_id": row.id, "userId": row.user_id,
                "createdAt": format_timestamp(row.created_at), "payload": encode_payload(row.payload),
            })
        except DuplicateKeyError:
            raise Conflict("id") from None
        self._confirm(self._users, row.user_id, "user_id", lambda: self._campaigns.delete_one({"_id": row.id}))
        return row

    @_mapped
    def get_campaign(self, campaign_id: str) -> Campaign | None:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        doc = self._campaigns.find_one({"_id": campaign_id})
        return None if doc is None else _campaign(doc)

    @_mapped
    def update_campaign(self, campaign_id: str, payload: JSONObject) -> Campaign:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        payload = check_payload(payload, field="payload")
        doc = self._campaigns.find_one_and_update(
            {"_id": campaign_id}, {"$set": {"payload": encode_payload(payload)}}, return_document=ReturnDocument.AFTER
        )
        if doc is None:
            raise NotFound("campaign", campaign_id)
        return _campaign(doc)

    @_mapped
    def delete_campaign(self, campaign_id: str) -> bool:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        return self._campaigns.delete_one({"_id": campaign_id}).deleted_count == 1

    @_mapped
    def list_campaigns(
        self,
        user_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
        after: str | None = None,
    ) -> Page[Campaign]:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        lo, hi = check_window(start, end)
        limit = check_limit(limit)
        query = {"userId": user_id, **_window("createdAt", lo, hi)}
        return self._page(
            self._campaigns, query, ("createdAt", "_id"), listing_scope("campaigns", user_id), limit, after, _campaign,
            lambda d: (epoch_ms(parse_timestamp(d["createdAt"])), d["_id"]), str,
        )

    # -- clients -------------------------------------------------------------

    @_mapped
    def create_client(
        self, *, payload: JSONObject, id: str | None = None, created_at: datetime | None = None
    ) -> Client:
        row = new_client(payload=payload, id=id, created_at=created_at)
        try:
            self._clients.insert_one(
                {"_id": row.id, "createdAt": format_timestamp(row.created_at), "payload": encode_payload(row.payload)}
            )
        except DuplicateKeyError:
            raise Conflict("id") from None
        return row

    @_mapped
    def get_client(self, client_id: str) -> Client | None:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        doc = self._clients.find_one({"_id": client_id})
        return None if doc is None else _client(doc)

    @_mapped
    def update_client(self, client_id: str, payload: JSONObject) -> Client:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        payload = check_payload(payload, field="payload")
        doc = self._clients.find_one_and_update(
            {"_id": client_id}, {"$set": {"payload": encode_payload(payload)}}, return_document=ReturnDocument.AFTER
        )
        if doc is None:
            raise NotFound("client", client_id)
        return _client(doc)

    def _delete_client_children(self, client_id: str) -> None:
        for collection in (self._admins, self._oauth, self._client_campaigns, self._billing):
            collection.delete_many({"clientId": client_id})

    @_mapped
    def delete_client(self, client_id: str) -> bool:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        self._delete_client_children(client_id)
        deleted = self._clients.delete_one({"_id": client_id}).deleted_count == 1
        if deleted:
            self._delete_client_children(client_id)
        return deleted

    @_mapped
    def list_clients(self, *, limit: int | None = None, after: str | None = None) -> Page[Client]:
        limit = check_limit(limit)
        return self._page(
            self._clients, {}, ("createdAt", "_id"), "clients", limit, after, _client,
            lambda d: (epoch_ms(parse_timestamp(d["createdAt"])), d["_id"]), str,
        )

    # -- admin links ---------------------------------------------------------

    @staticmethod
    def _link_key(admin_id: str, client_id: str) -> Doc:
        return {
            "adminId": check_key(admin_id, field="admin_id", max_len=limits.USER_ID_MAX),
            "clientId": check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX),
        }

    @_mapped
    def link_admin(self, admin_id: str, client_id: str) -> bool:
        key = self._link_key(admin_id, client_id)
        self._require(self._users, key["adminId"], "admin_id")
        self._require(self._clients, key["clientId"], "client_id")
        try:
            self._admins.insert_one(dict(key))
        except DuplicateKeyError:
            return False
        undo = functools.partial(self._admins.delete_one, key)
        self._confirm(self._users, key["adminId"], "admin_id", undo)
        self._confirm(self._clients, key["clientId"], "client_id", undo)
        return True

    @_mapped
    def unlink_admin(self, admin_id: str, client_id: str) -> bool:
        return self._admins.delete_one(self._link_key(admin_id, client_id)).deleted_count == 1

    @_mapped
    def list_admin_clients(self, admin_id: str) -> list[str]:
        admin_id = check_key(admin_id, field="admin_id", max_len=limits.USER_ID_MAX)
        return sorted(d["clientId"] for d in self._admins.find({"adminId": admin_id}))

    @_mapped
    def list_client_admins(self, client_id: str) -> list[str]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        return sorted(d["adminId"] for d in self._admins.find({"clientId": client_id}))

    # -- client oauth --------------------------------------------------------

    @staticmethod
    def _oauth_key(client_id: str, platform: str) -> Doc:
        return {
            "clientId": check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX),
            "platform": check_key(platform, field="platform", max_len=limits.PLATFORM_MAX),
        }

    @_mapped
    def save_oauth(self, client_id: str, platform: str, data: JSONObject) -> ClientOAuth:
        key = self._oauth_key(client_id, platform)
        row = ClientOAuth(key["clientId"], key["platform"], check_payload(data, field="data"))
        self._require(self._clients, row.client_id, "client_id")
        self._upsert(self._oauth, key, {"data": encode_payload(row.data)})
        self._confirm(self._clients, row.client_id, "client_id", lambda: self._oauth.delete_one(key))
        return row

    @_mapped
    def get_oauth(self, client_id: str, platform: str) -> ClientOAuth | None:
        doc = self._oauth.find_one(self._oauth_key(client_id, platform))
        return None if doc is None else _oauth(doc)

    @_mapped
    def list_oauth(self, client_id: str) -> list[ClientOAuth]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        return sorted((_oauth(d) for d in self._oauth.find({"clientId": client_id})), key=lambda r: r.platform)

    @_mapped
    def delete_oauth(self, client_id: str, platform: str) -> bool:
        return self._oauth.delete_one(self._oauth_key(client_id, platform)).deleted_count == 1

    # -- client campaigns ----------------------------------------------------

    @_mapped
    def save_client_campaign(self, id: str, *, client_id: str, payload: JSONObject) -> ClientCampaign:
        row = new_client_campaign(id, client_id=client_id, payload=payload)
        self._require(self._clients, row.client_id, "client_id")
        values = {"clientId": row.client_id, "payload": encode_payload(row.payload)}
        self._upsert(self._client_campaigns, {"_id": row.id}, values)
        self._confirm(
            self._clients, row.client_id, "client_id",
            lambda: self._client_campaigns.delete_one({"_id": row.id, "clientId": row.client_id}),
        )
        return row

    @_mapped
    def get_client_campaign(self, campaign_id: str) -> ClientCampaign | None:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        doc = self._client_campaigns.find_one({"_id": campaign_id})
        return None if doc is None else _client_campaign(doc)

    @_mapped
    def list_client_campaigns(self, client_id: str) -> list[ClientCampaign]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        docs = self._client_campaigns.find({"clientId": client_id})
        return sorted((_client_campaign(d) for d in docs), key=lambda r: r.id)

    @_mapped
    def delete_client_campaign(self, campaign_id: str) -> bool:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        return self._client_campaigns.delete_one({"_id": campaign_id}).deleted_count == 1

    # -- billing -------------------------------------------------------------

    @_mapped
    def record_usage(
        self,
        client_id: str,
        *,
        timestamp: datetime,
        tokens_used: Decimal | int,
        cost: Decimal | int,
        admin_id: str | None = None,
    ) -> BillingEntry:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        ts, tokens, amount, admin_id = check_usage(timestamp, tokens_used, cost, admin_id)
        self._require(self._clients, client_id, "client_id")
        if admin_id is not None:
            self._require(self._users, admin_id, "admin_id")
        seq = self._next_seq()
        self._billing.insert_one({
            "clientId": client_id, "timestamp": format_timestamp(ts),
            "tokensUsed": Decimal128(tokens), "cost": Decimal128(amount), "adminId": admin_id, "seq": seq,
        })
        undo = functools.partial(self._billing.delete_one, {"seq": seq})
        self._confirm(self._clients, client_id, "client_id", undo)
        if admin_id is not None:
            self._confirm(self._users, admin_id, "admin_id", undo)
        return BillingEntry(str(seq), client_id, ts, tokens, amount, admin_id)

    @_mapped
    def list_usage(
        self,
        client_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
        after: str | None = None,
    ) -> Page[BillingEntry]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        lo, hi = check_window(start, end)
        limit = check_limit(limit)
        query = {"clientId": client_id, **_window("timestamp", lo, hi)}
        return self._page(
            self._billing, query, ("timestamp", "seq"), listing_scope("billing", client_id), limit, after, _billing,
            lambda d: (epoch_ms(parse_timestamp(d["timestamp"])), int(d["seq"])), int,
        )

    @_mapped
    def usage_totals(
        self, client_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> BillingTotals:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        lo, hi = check_window(start, end)
        query = {"clientId": client_id, **_window("timestamp", lo, hi)}
        # $sum over Decimal128 is exact on MongoDB (34 digits) and on mongomock
        # (Python Decimal, 28 digits: exact while a sum stays below 10^24).
        group = {"_id": None, "count": {"$sum": 1}, "tokens": {"$sum": "$tokensUsed"}, "cost": {"$sum": "$cost"}}
        found = list(self._billing.aggregate([{"$match": query}, {"$group": group}]))
        if not found:  # $group over no documents yields no document, not zeros
            return BillingTotals(0, Decimal(0), Decimal(0))
        return BillingTotals(int(found[0]["count"]), _amount(found[0]["tokens"]), _amount(found[0]["cost"]))
