"""The tables: the sync adapter's DDL and declaration, laid out through asyncpg."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from adapter_contracts.adapters.postgres.schema import schema_sql
from adapter_contracts.adapters.postgres.statements import LOCK_SCHEMA
from adapter_contracts.adapters.postgres_async.connection import AsyncPostgresConnection, numbered

_SCHEMA_LOCK = 0x5C4E_3A01  # the sync adapter's advisory lock: both may lay out one database at once


class SchemaMethods(AsyncPostgresConnection):
    """Lays out and declares the schema."""

    async def create_schema(self) -> None:
        async with self._transaction() as conn:
            await conn.execute(numbered(LOCK_SCHEMA), _SCHEMA_LOCK)
            # Several statements, no arguments: asyncpg sends them as one simple query.
            await conn.execute(schema_sql())

    async def expected_schema(self) -> dict[str, Any]:
        declared: dict[str, Any] = json.loads(
            resources.files("adapter_contracts.adapters").joinpath("sql/postgres.schema.json").read_text(encoding="utf-8"))
        return declared
