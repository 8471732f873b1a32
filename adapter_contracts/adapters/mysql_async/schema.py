"""The tables: the sync adapter's statements with the server's exact collation, laid out through aiomysql."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from adapter_contracts.adapters.errors import AdapterError
from adapter_contracts.adapters.mysql.schema import _EXACT_COLLATIONS, schema_statements
from adapter_contracts.adapters.mysql.statements import select_collations
from adapter_contracts.adapters.mysql_async.connection import AsyncCursor, AsyncMySQLConnection


async def exact_collation(cur: AsyncCursor) -> str:
    """The server's binary, NO PAD utf8mb4 collation (code-point order, 'a' != 'a ')."""
    await cur.execute(select_collations(len(_EXACT_COLLATIONS)), _EXACT_COLLATIONS)
    found = {row[0] for row in await cur.fetchall()}
    for name in _EXACT_COLLATIONS:
        if name in found:
            return name
    raise AdapterError(
        "server has no binary NO PAD utf8mb4 collation (needs MySQL 8 or MariaDB >= 10.2); "
        "exact key comparison cannot be guaranteed"
    )


class SchemaMethods(AsyncMySQLConnection):
    """Lays out and declares the schema."""

    async def create_schema(self) -> None:
        async with self._cursor(begin=False, commit=True) as cur:
            for statement in schema_statements(await exact_collation(cur)):
                await cur.execute(statement)

    async def expected_schema(self) -> dict[str, Any]:
        declared: dict[str, Any] = json.loads(
            resources.files("adapter_contracts.adapters").joinpath("sql/mysql.schema.json").read_text(encoding="utf-8"))
        return declared
