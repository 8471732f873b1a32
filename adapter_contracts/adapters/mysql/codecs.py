"""Values as PyMySQL binds and returns them, made the contract's: UTC wall clocks, JSON text, rows as records."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from adapter_contracts.adapters.records import BillingEntry, Campaign, Client, User


def naive(value: datetime) -> datetime:
    """PyMySQL drops tzinfo, so bind the UTC wall clock explicitly."""
    return value.astimezone(UTC).replace(tzinfo=None)


def aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC)


def opt_aware(value: datetime | None) -> datetime | None:
    return None if value is None else aware(value)


def loads(value: str | bytes | None) -> Any:
    return None if value is None else json.loads(value)


def to_user(row: Sequence[Any]) -> User:
    return User(id=row[0], email=row[1], password_hash=row[2], name=row[3], created_at=aware(row[4]))


def to_campaign(row: Sequence[Any]) -> Campaign:
    return Campaign(id=row[0], user_id=row[1], created_at=aware(row[2]), payload=loads(row[3]))


def to_client(row: Sequence[Any]) -> Client:
    return Client(id=row[0], created_at=aware(row[1]), payload=loads(row[2]))


def to_entry(row: Sequence[Any]) -> BillingEntry:
    return BillingEntry(str(row[0]), row[1], aware(row[2]), Decimal(row[3]), Decimal(row[4]), row[5])
