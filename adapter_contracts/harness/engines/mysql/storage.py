"""MySQL/MariaDB raw access: the engine's own connection for reset, snapshot and the tables present, and
the storage conditions a session like the adapter's meets there, measured."""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING, Any

import pymysql

from adapter_contracts.harness.engines.mysql.introspection import json_columns
from adapter_contracts.harness.engines.rows import canonical_json, sorted_rows

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.mysql import MySQLEngine
    from adapter_contracts.harness.engines.mysql.provisioning import ServerAddress

__all__ = ["RawStorage"]

PROMISED_TIME_ZONE = "+05:45"
_HOSTILE_OFFSET_SECONDS = 5 * 3600 + 45 * 60


def _json_text(value: Any) -> Any:
    """A JSON document's text in one spelling (MariaDB keeps the text as written), else the value as it is."""
    if not isinstance(value, (str, bytes)):
        return value
    try:
        return canonical_json(json.loads(value))
    except ValueError:
        return value


class RawStorage:
    """The engine's own connection (never the adapter's), reopened after a failure."""

    def __init__(self, address: ServerAddress, database: str, engine: MySQLEngine) -> None:
        assert engine.layout is not None
        self.address = address
        self.database = database
        self.tables = engine.layout.tables()
        # One round trip.  Median of 200 resets of a few rows on MariaDB 10.11: 0.4 ms (throwaway
        # server) / 3 ms (stock service), against 108-131 ms / 15-44 ms for TRUNCATE, which recreates
        # every tablespace.  Foreign keys the adapter may have declared (the layout has none) must not
        # make the order matter.
        deletes = "".join(f"DELETE FROM `{t}`;" for t in engine.layout.children_first())
        self._reset_sql = f"SET FOREIGN_KEY_CHECKS = 0;{deletes}SET FOREIGN_KEY_CHECKS = 1;"
        # Every table in one round trip; rows are sorted in Python (the server's collation decides
        # nothing here).
        self._snapshot_sql = "".join(f"SELECT * FROM `{t}`;" for t in self.tables)
        self._raw: Any = None
        #: (table, column) of the live JSON columns, read once the adapter laid the tables out.
        self._json: set[tuple[str, str]] | None = None

    def _cursor(self) -> Any:
        if self._raw is None or not self._raw.open:
            self._raw = self.address.connect_multi(self.database)
        return self._raw.cursor()

    def cursor(self) -> Any:
        """A cursor on the engine's own connection (opened again if it was lost)."""
        return self._cursor()

    def close(self) -> None:
        raw, self._raw = self._raw, None
        if raw is not None:
            with contextlib.suppress(pymysql.err.Error):
                raw.close()

    def present_tables(self) -> set[str]:
        with self._cursor() as cur:
            cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")
            return {str(name) for (name,) in cur.fetchall()}

    def reset(self) -> None:
        with self._cursor() as cur:
            cur.execute(self._reset_sql)
            while cur.nextset():
                pass

    def _json_columns(self, cur: Any) -> set[tuple[str, str]]:
        """The columns that hold JSON as the adapter laid them out: MySQL's JSON type, MariaDB's alias."""
        if self._json is None:
            cur.execute("SELECT table_name, column_name FROM information_schema.columns"
                        " WHERE table_schema = DATABASE() AND data_type = 'json'")
            self._json = {(str(t), str(c)) for t, c in cur.fetchall()} | json_columns(cur, self.database)
        return self._json

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        out: dict[str, list[tuple[Any, ...]]] = {}
        with self._cursor() as cur:
            documents = self._json_columns(cur)
            cur.execute(self._snapshot_sql)
            for index, table in enumerate(self.tables):
                if index:
                    cur.nextset()
                names = [column[0] for column in cur.description or ()]
                spelled = [(table, name) in documents for name in names]
                out[table] = sorted_rows(tuple(_json_text(v) if json_ else v for v, json_ in zip(row, spelled,
                                                                                                 strict=False))
                                         for row in cur.fetchall())
        return out

    def conditions(self, *, server_owned: bool, created: bool) -> tuple[dict[str, str], dict[str, str]]:
        """The defaults a new session meets in this database, and each promised one it does not meet.

        Read from the engine's own connection, opened like the adapter's from the same DSN, so
        what is read is what the adapter's sessions get.  ``server_owned``: the harness started
        the server (else it is the user's, whose defaults it does not change); ``created``: the
        harness created the database (else it is the DSN's own).
        """
        with self._cursor() as cur:
            cur.execute("SELECT @@collation_database, @@time_zone, @@system_time_zone,"
                        " TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW())")
            collation, zone, system, offset = cur.fetchone()
        shown = f"{zone} ({system})" if zone == "SYSTEM" else str(zone)
        found = {"default collation": str(collation), "time_zone": shown}
        unmet: dict[str, str] = {}
        if not str(collation).endswith("_ci"):
            why = ("the DSN's own database (--dsn-database existing), whose collation the harness does not change"
                   if not created else "the server has no case-insensitive utf8mb4 collation")
            unmet["default collation *_ci"] = f"{collation} instead: {why}"
        if int(offset) != _HOSTILE_OFFSET_SECONDS:
            minutes = abs(int(offset)) // 60
            utc = f"UTC{'-' if int(offset) < 0 else '+'}{minutes // 60:02d}:{minutes % 60:02d}"
            why = ("the server's own default: time_zone is server-wide on MySQL, and the harness does not "
                   "change a default of a server it does not own" if not server_owned
                   else "the server did not take --default-time-zone")
            unmet[f"time_zone {PROMISED_TIME_ZONE}"] = f"{shown} ({utc}) instead: {why}"
        return found, unmet
