"""The collections' indexes ``create_schema`` makes, and the layout it declares for the drift check."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from adapter_contracts.adapters.mongo.connection import MongoConnection

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


class SchemaMethods(MongoConnection):
    """Lays out and declares the schema."""

    # -- lifecycle -----------------------------------------------------------

    def create_schema(self) -> None:
        # Same keys, same default names: create_index is a no-op when the index exists.
        for collection, keys, unique in _INDEXES:
            self._collection(collection).create_index(keys, unique=unique)

    def expected_schema(self) -> dict[str, Any]:
        declared: dict[str, Any] = json.loads(
            resources.files("adapter_contracts.adapters").joinpath("mongo.schema.json").read_text(encoding="utf-8"))
        return declared
