"""Defects in how keys and text are compared or stored (the MySQL-collation family)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.base import UNSET, Unset
from adapter_contracts.adapters.memory import MemoryAdapter
from adapter_contracts.adapters.records import User
from adapter_contracts.adapters.validation import check_key
from adapter_contracts.harness.plugging import adapter_factory
from tests.gallery.support import on_engine_store

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.base import Endpoint


class CaseInsensitiveIdLookup(MemoryAdapter):
    """get_user compares ids case-insensitively, as a utf8mb4_general_ci key column does."""

    def get_user(self, user_id: str) -> User | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        with self._lock:
            return next((u for u in self.store.users.values() if u.id.lower() == user_id.lower()), None)


class EmailNotNormalisedOnLookup(MemoryAdapter):
    """Email is normalised on write but looked up exactly as the caller typed it."""

    def get_user_by_email(self, email: str) -> User | None:
        super().get_user_by_email(email)  # validation still runs and still raises
        with self._lock:
            return next((u for u in self.store.users.values() if u.email == email), None)


def _casefold(value: object) -> object:
    return value.casefold() if isinstance(value, str) else value


class EmailCasefolded(MemoryAdapter):
    """Email is normalised with casefold() instead of lower(), so straße@x and strasse@x are one user."""

    def create_user(self, *, email: str, **fields: Any) -> User:
        return super().create_user(email=_casefold(email), **fields)  # type: ignore[arg-type]

    def get_user_by_email(self, email: str) -> User | None:
        return super().get_user_by_email(_casefold(email))  # type: ignore[arg-type]

    def update_user(self, user_id: str, *, email: str | Unset = UNSET, **fields: Any) -> User:
        return super().update_user(user_id, email=_casefold(email), **fields)  # type: ignore[arg-type]


class TruncatesOverLongIds(MemoryAdapter):
    """Over-long user ids are cut to the column width, as non-strict MySQL does, instead of rejected."""

    def create_user(
        self,
        *,
        email: str,
        password_hash: str,
        name: str | None = None,
        id: str | None = None,
        created_at: datetime | None = None,
    ) -> User:
        if isinstance(id, str):
            id = id[: limits.USER_ID_MAX]
        return super().create_user(email=email, password_hash=password_hash, name=name, id=id, created_at=created_at)

    def get_user(self, user_id: str) -> User | None:
        return super().get_user(user_id[: limits.USER_ID_MAX] if isinstance(user_id, str) else user_id)


def _strip_nul(value: object) -> object:
    return value.replace("\x00", "") if isinstance(value, str) else value


class StripsNul(MemoryAdapter):
    """NUL characters are silently removed (a driver workaround) instead of rejected."""

    def create_user(
        self,
        *,
        email: str,
        password_hash: str,
        name: str | None = None,
        id: str | None = None,
        created_at: datetime | None = None,
    ) -> User:
        return super().create_user(
            email=_strip_nul(email), password_hash=_strip_nul(password_hash),  # type: ignore[arg-type]
            name=_strip_nul(name), id=_strip_nul(id), created_at=created_at,  # type: ignore[arg-type]
        )


@adapter_factory(engine="memory")
def case_insensitive_ids(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(CaseInsensitiveIdLookup, endpoint)


@adapter_factory(engine="memory")
def email_not_normalised_on_lookup(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(EmailNotNormalisedOnLookup, endpoint)


@adapter_factory(engine="memory")
def email_casefolded(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(EmailCasefolded, endpoint)


@adapter_factory(engine="memory")
def truncates_over_long_ids(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(TruncatesOverLongIds, endpoint)


@adapter_factory(engine="memory")
def strips_nul(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(StripsNul, endpoint)
