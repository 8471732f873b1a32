"""The tables: the DDL ``create_schema`` runs, and the layout it declares for the drift check."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from adapter_contracts import AdapterError, translate_errors

from .connection import SQLiteConnection
from .translation import translate

SCHEMA_PATH = Path(__file__).parents[1] / "sqlite_schema.sql"
#: The same schema in the harness's canonical form, for the drift check.
DECLARED_SCHEMA_PATH = Path(__file__).parents[1] / "sqlite.schema.json"


class SchemaMethods(SQLiteConnection):
    """Lays out and declares the schema."""

    # -- lifecycle -----------------------------------------------------------

    def create_schema(self) -> None:
        try:
            script = SCHEMA_PATH.read_text(encoding="utf-8")
        except OSError as exc:
            raise AdapterError(f"cannot read {SCHEMA_PATH.name}: {exc}") from exc
        with translate_errors(sqlite3.Error, translate):
            try:
                self._conn.executescript(script)
            except sqlite3.Error:
                self._rollback()
                raise

    def expected_schema(self) -> dict[str, Any]:
        declared: dict[str, Any] = json.loads(DECLARED_SCHEMA_PATH.read_text(encoding="utf-8"))
        return declared
