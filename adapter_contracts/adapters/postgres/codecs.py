"""Values as PostgreSQL returns them, made the contract's: jsonb read back exactly, times in UTC, rows as records."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.records import (
    BillingEntry,
    Campaign,
    Client,
    ClientCampaign,
    ClientOAuth,
    User,
    UserIntegration,
)

Row = tuple[Any, ...]


def _json_int(text: str) -> int | float:
    # Stored integers are within ±(2^53-1) by validation, so a longer integer
    # literal is a float that jsonb printed without exponent (1e16 -> 10000000000000000).
    value = int(text)
    return value if abs(value) <= limits.JSON_INT_MAX else float(text)


def load_json(data: str | bytes) -> Any:
    """Parse jsonb output back into the Python values that were stored."""
    return json.loads(data, parse_int=_json_int)


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def opt_utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def to_user(row: Row) -> User:
    return User(row[0], row[1], row[2], row[3], utc(row[4]))


def to_integration(row: Row) -> UserIntegration:
    return UserIntegration(row[0], row[1], row[2], row[3])


def to_campaign(row: Row) -> Campaign:
    return Campaign(row[0], row[1], utc(row[2]), row[3])


def to_client(row: Row) -> Client:
    return Client(row[0], utc(row[1]), row[2])


def to_oauth(row: Row) -> ClientOAuth:
    return ClientOAuth(row[0], row[1], row[2])


def to_client_campaign(row: Row) -> ClientCampaign:
    return ClientCampaign(row[0], row[1], row[2])


def to_entry(row: Row) -> BillingEntry:
    return BillingEntry(str(row[0]), row[1], utc(row[2]), row[3], row[4], row[5])
