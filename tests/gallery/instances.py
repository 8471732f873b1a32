"""Defects in what an instance promises about shared storage and its own declarations."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.errors import AdapterError, Unsupported
from adapter_contracts.adapters.memory import MemoryAdapter, MemoryStore
from adapter_contracts.adapters.records import User
from adapter_contracts.adapters.validation import (
    check_email,
    check_key,
    check_name,
    check_password_hash,
    check_timestamp,
    epoch_ms,
    now_utc,
)
from adapter_contracts.examples.sqlite_adapter import SQLiteAdapter
from adapter_contracts.harness.plugging import adapter_factory
from tests.gallery.support import on_engine_store

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.base import Endpoint

_ABSENT = object()


class StaleReadCache(MemoryAdapter):
    """get_user answers from a per-instance cache that only this instance's own writes invalidate:
    another instance's writes (another process, in production) stay invisible."""

    def __init__(self, store: MemoryStore | None = None) -> None:
        super().__init__(store)
        self._users: dict[str, User | None] = {}

    def get_user(self, user_id: str) -> User | None:
        cached = self._users.get(user_id, _ABSENT) if isinstance(user_id, str) else _ABSENT
        if cached is not _ABSENT:
            return cached  # type: ignore[return-value]
        user = super().get_user(user_id)
        self._users[user_id] = user
        return user

    def create_user(self, *, email: str, password_hash: str, name: str | None = None, id: str | None = None,
                    created_at: datetime | None = None) -> User:
        user = super().create_user(email=email, password_hash=password_hash, name=name, id=id, created_at=created_at)
        self._users[user.id] = user
        return user

    def delete_user(self, user_id: str) -> bool:
        self._users.pop(user_id, None)
        return super().delete_user(user_id)


class DeclaresBatchUnsupportedButHasIt(MemoryAdapter):
    """Declares usage_batch unsupported while inheriting a working record_usage_batch: the declaration lies."""

    unsupported: ClassVar[Mapping[str, type[AdapterError]]] = {
        "schema_declaration": Unsupported,
        "usage_batch": Unsupported,
    }


class LeaksDriverError(SQLiteAdapter):
    """create_user trusts the UNIQUE constraints and never maps the driver's error:
    a duplicate id raises sqlite3.IntegrityError instead of Conflict("id")."""

    def create_user(self, *, email: str, password_hash: str, name: str | None = None, id: str | None = None,
                    created_at: datetime | None = None) -> User:
        user = User(
            email=check_email(email),
            password_hash=check_password_hash(password_hash),
            name=check_name(name),
            id=str(uuid.uuid4()) if id is None else check_key(id, field="id", max_len=limits.USER_ID_MAX),
            created_at=now_utc() if created_at is None else check_timestamp(created_at, field="created_at"),
        )
        self._conn.execute(
            "INSERT INTO users (id, email, password_hash, name, created_at) VALUES (?, ?, ?, ?, ?)",
            (user.id, user.email, user.password_hash, user.name, epoch_ms(user.created_at)),
        )
        return user


@adapter_factory(engine="memory")
def stale_read_cache(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(StaleReadCache, endpoint)


_SHARED: dict[int, MemoryAdapter] = {}


@adapter_factory(engine="memory")
def shared_instance(endpoint: Endpoint) -> MemoryAdapter:
    """The stale cache again, behind a factory that hands every caller one instance: the contracts that
    need a second instance would get the first, whose cache serves its own writes."""
    return _SHARED.setdefault(id(endpoint.extra["store"]), on_engine_store(StaleReadCache, endpoint))


_CALLS: list[int] = []


@adapter_factory(engine="memory")
def switches_class(endpoint: Endpoint) -> MemoryAdapter:
    """The reference on the first call, the stale cache on every later one: the session's adapter is
    correct, the second instances the contracts ask for are not."""
    _CALLS.append(1)
    return on_engine_store(MemoryAdapter if len(_CALLS) == 1 else StaleReadCache, endpoint)


@adapter_factory(engine="memory")
def lying_declaration(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(DeclaresBatchUnsupportedButHasIt, endpoint)


@adapter_factory(engine="sqlite")
def leaks_driver_error(endpoint: Endpoint) -> SQLiteAdapter:
    return LeaksDriverError(str(endpoint.extra["path"]))
