"""Documents as stored and records as returned: fixed-width UTC strings, escaped payloads, Decimal128."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bson.dbref import DBRef
from bson.decimal128 import Decimal128

from adapter_contracts.adapters.records import (
    BillingEntry,
    Campaign,
    Client,
    ClientCampaign,
    ClientOAuth,
    User,
    UserIntegration,
    UserSetup,
)

USER_FIELDS = {"email": "email", "password_hash": "passwordHash", "name": "name"}


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


def amount(value: object) -> Decimal:
    if isinstance(value, Decimal128):
        return value.to_decimal()
    # Rows written by the seed's code hold doubles; str() gives their shortest repr.
    return Decimal(str(value))


def to_user(doc: Mapping[str, Any]) -> User:
    return User(doc["_id"], doc["email"], doc["passwordHash"], doc.get("name"), parse_timestamp(doc["createdAt"]))


def to_setup(doc: Mapping[str, Any]) -> UserSetup:
    completed = doc.get("completedAt")
    return UserSetup(
        doc["userId"], doc["isSetupComplete"],
        None if completed is None else parse_timestamp(completed), decode_payload(doc.get("setupData")),
    )


def to_integration(doc: Mapping[str, Any]) -> UserIntegration:
    return UserIntegration(doc["userId"], doc["category"], doc["provider"], decode_payload(doc["data"]))


def to_campaign(doc: Mapping[str, Any]) -> Campaign:
    return Campaign(doc["_id"], doc["userId"], parse_timestamp(doc["createdAt"]), decode_payload(doc["payload"]))


def to_client(doc: Mapping[str, Any]) -> Client:
    return Client(doc["_id"], parse_timestamp(doc["createdAt"]), decode_payload(doc["payload"]))


def to_oauth(doc: Mapping[str, Any]) -> ClientOAuth:
    return ClientOAuth(doc["clientId"], doc["platform"], decode_payload(doc["data"]))


def to_client_campaign(doc: Mapping[str, Any]) -> ClientCampaign:
    return ClientCampaign(doc["_id"], doc["clientId"], decode_payload(doc["payload"]))


def to_entry(doc: Mapping[str, Any]) -> BillingEntry:
    return BillingEntry(
        str(doc["seq"]), doc["clientId"], parse_timestamp(doc["timestamp"]),
        amount(doc["tokensUsed"]), amount(doc["cost"]), doc.get("adminId"),
    )
