"""The tables: the DDL ``create_schema`` runs with the server's exact collation, and the declared layout."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from adapter_contracts.adapters.errors import AdapterError
from adapter_contracts.adapters.mysql.connection import Cursor, MySQLConnection
from adapter_contracts.adapters.mysql.statements import select_collations

_COLLATION_PLACEHOLDER = "__EXACT__"
#: Binary NO PAD utf8mb4 collations, best first (MySQL 8 / Vitess, then MariaDB).
_EXACT_COLLATIONS = ("utf8mb4_0900_bin", "utf8mb4_nopad_bin")


def schema_statements(collation: str) -> list[str]:
    """The statements of ``sql/mysql.sql`` with the exact collation filled in."""
    text = resources.files("adapter_contracts.adapters").joinpath("sql/mysql.sql").read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip().replace(_COLLATION_PLACEHOLDER, collation) for s in body.split(";") if s.strip()]


def exact_collation(cur: Cursor) -> str:
    """The server's binary, NO PAD utf8mb4 collation (code-point order, 'a' != 'a ')."""
    cur.execute(select_collations(len(_EXACT_COLLATIONS)), _EXACT_COLLATIONS)
    found = {row[0] for row in cur.fetchall()}
    for name in _EXACT_COLLATIONS:
        if name in found:
            return name
    raise AdapterError(
        "server has no binary NO PAD utf8mb4 collation (needs MySQL 8 or MariaDB >= 10.2); "
        "exact key comparison cannot be guaranteed"
    )


class SchemaMethods(MySQLConnection):
    """Lays out and declares the schema."""

    # -- lifecycle -----------------------------------------------------------

    def create_schema(self) -> None:
        with self._cursor(begin=False, commit=True) as cur:
            for statement in schema_statements(exact_collation(cur)):
                cur.execute(statement)

    def expected_schema(self) -> dict[str, Any]:
        # Collations are declared as a class (utf8mb4:binary-nopad), which fits
        # whichever exact collation create_schema picked on this flavour.
        declared: dict[str, Any] = json.loads(
            resources.files("adapter_contracts.adapters").joinpath("sql/mysql.schema.json").read_text(encoding="utf-8"))
        return declared
