"""The sync adapter's indexes, made through the async client, and the layout it declares."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from adapter_contracts.adapters.mongo.schema import _INDEXES
from adapter_contracts.adapters.mongo_async.connection import AsyncMongoConnection


class SchemaMethods(AsyncMongoConnection):
    """Lays out and declares the schema."""

    async def create_schema(self) -> None:
        # Same keys, same default names: create_index is a no-op when the index exists.
        for collection, keys, unique in _INDEXES:
            await self._collection(collection).create_index(keys, unique=unique)

    async def expected_schema(self) -> dict[str, Any]:
        declared: dict[str, Any] = json.loads(
            resources.files("adapter_contracts.adapters").joinpath("mongo.schema.json").read_text(encoding="utf-8"))
        return declared
