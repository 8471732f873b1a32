"""Validated records for the write operations, built the same way by every adapter.

Each builder validates its arguments in signature order (the contract reports
the first invalid one), supplies generated ids and ``created_at`` the way the
spec says, and returns the canonical record to store.  Adapters, including
third-party ones, call these before touching storage.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.base import Unset
from adapter_contracts.adapters.records import Campaign, Client, ClientCampaign, JSONObject, User
from adapter_contracts.adapters.validation import (
    check_email,
    check_key,
    check_name,
    check_password_hash,
    check_payload,
    check_timestamp,
    now_utc,
)

__all__ = [
    "integration_key", "link_key", "new_campaign", "new_client", "new_client_campaign", "new_user", "oauth_key",
    "user_changes",
]


def _id_or_new(value: object, max_len: int) -> str:
    return str(uuid.uuid4()) if value is None else check_key(value, field="id", max_len=max_len)


def _created_at(value: object) -> datetime:
    return now_utc() if value is None else check_timestamp(value, field="created_at")


def new_user(*, email: object, password_hash: object, name: object, id: object, created_at: object) -> User:
    return User(
        email=check_email(email),
        password_hash=check_password_hash(password_hash),
        name=check_name(name),
        id=_id_or_new(id, limits.USER_ID_MAX),
        created_at=_created_at(created_at),
    )


def user_changes(*, email: object, password_hash: object, name: object) -> dict[str, Any]:
    """The validated fields of an update; arguments left as UNSET are absent."""
    changes: dict[str, Any] = {}
    if not isinstance(email, Unset):
        changes["email"] = check_email(email)
    if not isinstance(password_hash, Unset):
        changes["password_hash"] = check_password_hash(password_hash)
    if not isinstance(name, Unset):
        changes["name"] = check_name(name)
    return changes


def new_campaign(*, user_id: object, payload: object, id: object, created_at: object) -> Campaign:
    return Campaign(
        user_id=check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX),
        payload=check_payload(payload, field="payload"),
        id=_id_or_new(id, limits.ENTITY_ID_MAX),
        created_at=_created_at(created_at),
    )


def new_client(*, payload: object, id: object, created_at: object) -> Client:
    return Client(
        payload=check_payload(payload, field="payload"),
        id=_id_or_new(id, limits.ENTITY_ID_MAX),
        created_at=_created_at(created_at),
    )


def new_client_campaign(id: object, *, client_id: object, payload: JSONObject | object) -> ClientCampaign:
    return ClientCampaign(
        id=check_key(id, field="id", max_len=limits.ENTITY_ID_MAX),
        client_id=check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX),
        payload=check_payload(payload, field="payload"),
    )


def integration_key(user_id: object, category: object, provider: object) -> tuple[str, str, str]:
    """The validated key of a user integration: (user_id, category, provider)."""
    return (
        check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX),
        check_key(category, field="category", max_len=limits.CATEGORY_MAX),
        check_key(provider, field="provider", max_len=limits.PROVIDER_MAX),
    )


def link_key(admin_id: object, client_id: object) -> tuple[str, str]:
    """The validated key of an admin link: (admin_id, client_id)."""
    return (
        check_key(admin_id, field="admin_id", max_len=limits.USER_ID_MAX),
        check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX),
    )


def oauth_key(client_id: object, platform: object) -> tuple[str, str]:
    """The validated key of a client's oauth row: (client_id, platform)."""
    return (
        check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX),
        check_key(platform, field="platform", max_len=limits.PLATFORM_MAX),
    )
