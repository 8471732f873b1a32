"""The tables: the DDL ``create_schema`` runs, and the layout it declares for the drift check."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from adapter_contracts.adapters.postgres.connection import PostgresConnection
from adapter_contracts.adapters.postgres.statements import LOCK_SCHEMA

_SCHEMA_LOCK = 0x5C4E_3A01  # advisory lock: concurrent CREATE ... IF NOT EXISTS can still collide


def schema_sql() -> str:
    """The DDL this adapter's ``create_schema`` runs."""
    return resources.files("adapter_contracts.adapters").joinpath("sql/postgres.sql").read_text(encoding="utf-8")


class SchemaMethods(PostgresConnection):
    """Lays out and declares the schema."""

    # -- lifecycle -----------------------------------------------------------

    def create_schema(self) -> None:
        ddl = schema_sql()
        conn = self._connection()
        with self._translated(), conn.transaction():
            conn.execute(LOCK_SCHEMA, (_SCHEMA_LOCK,))
            conn.execute(ddl.encode("utf-8"))

    def expected_schema(self) -> dict[str, Any]:
        declared: dict[str, Any] = json.loads(
            resources.files("adapter_contracts.adapters").joinpath("sql/postgres.schema.json").read_text(encoding="utf-8"))
        return declared
