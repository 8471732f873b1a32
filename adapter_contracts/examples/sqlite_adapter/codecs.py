"""Values as stored: integer epoch milliseconds, integer counts of 0.0001, JSON text; rows as records."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from adapter_contracts import (
    BillingEntry,
    Campaign,
    Client,
    ClientCampaign,
    ClientOAuth,
    JSONObject,
    User,
    UserIntegration,
    from_epoch_ms,
    limits,
)

Row = tuple[Any, ...]


def to_units(amount: Decimal) -> int:
    return int(amount.scaleb(limits.AMOUNT_PLACES))


def from_units(units: int) -> Decimal:
    # The coefficient keeps 4 places, exactly like the reference's quantized Decimals.
    return Decimal(units).scaleb(-limits.AMOUNT_PLACES)


def loads(text: str) -> JSONObject:
    value: JSONObject = json.loads(text)
    return value


def to_user(row: Row) -> User:
    return User(id=row[0], email=row[1], password_hash=row[2], name=row[3], created_at=from_epoch_ms(row[4]))


def to_integration(row: Row) -> UserIntegration:
    return UserIntegration(user_id=row[0], category=row[1], provider=row[2], data=loads(row[3]))


def to_campaign(row: Row) -> Campaign:
    return Campaign(id=row[0], user_id=row[1], created_at=from_epoch_ms(row[2]), payload=loads(row[3]))


def to_client(row: Row) -> Client:
    return Client(id=row[0], created_at=from_epoch_ms(row[1]), payload=loads(row[2]))


def to_oauth(row: Row) -> ClientOAuth:
    return ClientOAuth(client_id=row[0], platform=row[1], data=loads(row[2]))


def to_client_campaign(row: Row) -> ClientCampaign:
    return ClientCampaign(id=row[0], client_id=row[1], payload=loads(row[2]))


def to_entry(row: Row) -> BillingEntry:
    return BillingEntry(
        id=str(row[0]),
        client_id=row[1],
        timestamp=from_epoch_ms(row[2]),
        tokens_used=from_units(row[3]),
        cost=from_units(row[4]),
        admin_id=row[5],
    )
