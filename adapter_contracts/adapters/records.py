"""Frozen record types returned by every adapter.

Payload fields hold plain ``dict`` values that are fresh copies on every read:
mutating one never changes what is stored.  Timestamps are timezone-aware UTC
with millisecond precision; amounts are :class:`~decimal.Decimal`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

__all__ = [
    "BillingEntry",
    "BillingTotals",
    "Campaign",
    "Client",
    "ClientCampaign",
    "ClientOAuth",
    "JSONObject",
    "Page",
    "UsageInput",
    "User",
    "UserIntegration",
    "UserSetup",
    "UserWorkspace",
]

JSONObject = dict[str, Any]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class User:
    id: str
    email: str
    password_hash: str
    name: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class UserSetup:
    user_id: str
    is_setup_complete: bool
    completed_at: datetime | None
    setup_data: JSONObject | None


@dataclass(frozen=True, slots=True)
class UserWorkspace:
    user_id: str
    workspace: JSONObject


@dataclass(frozen=True, slots=True)
class UserIntegration:
    user_id: str
    category: str
    provider: str
    data: JSONObject


@dataclass(frozen=True, slots=True)
class Campaign:
    id: str
    user_id: str
    created_at: datetime
    payload: JSONObject


@dataclass(frozen=True, slots=True)
class Client:
    id: str
    created_at: datetime
    payload: JSONObject


@dataclass(frozen=True, slots=True)
class ClientOAuth:
    client_id: str
    platform: str
    data: JSONObject


@dataclass(frozen=True, slots=True)
class ClientCampaign:
    id: str
    client_id: str
    payload: JSONObject


@dataclass(frozen=True, slots=True)
class BillingEntry:
    """One usage entry.  ``id`` is opaque and unique per adapter storage."""

    id: str
    client_id: str
    timestamp: datetime
    tokens_used: Decimal
    cost: Decimal
    admin_id: str | None


@dataclass(frozen=True, slots=True)
class UsageInput:
    """One entry of :meth:`~adapter_contracts.adapters.base.Adapter.record_usage_batch` (unvalidated input)."""

    timestamp: datetime
    tokens_used: Decimal | int
    cost: Decimal | int
    admin_id: str | None = None


@dataclass(frozen=True, slots=True)
class BillingTotals:
    count: int
    tokens_used: Decimal
    cost: Decimal


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a keyset-paginated listing.

    ``next_cursor`` is ``None`` exactly when this page is the last one; pass it
    as ``after=`` to get the next page.  Cursors are opaque strings.
    """

    items: tuple[T, ...]
    next_cursor: str | None = None
