"""PostgreSQL raw access: the engine's own connection for reset, snapshot and the tables present, and the
storage conditions a session like the adapter's meets there, measured."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import psycopg

from adapter_contracts.adapters.bounds import DEFAULT_TIMEOUT
from adapter_contracts.adapters.postgres.bounds import bounded_connect
from adapter_contracts.harness.engines.rows import sorted_rows

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.postgres import PostgresEngine

__all__ = ["HOSTILE_OFFSET_SECONDS", "RawStorage", "utc_offset"]

#: What the README promises an adapter meets in the databases the harness creates.
PROMISED_COLLATION = "ICU en-US"
PROMISED_TIMEZONE = "+05:45"
HOSTILE_OFFSET_SECONDS = 5 * 3600 + 45 * 60


def utc_offset(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    minutes = abs(seconds) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class RawStorage:
    """The engine's own connection (never the adapter's), reopened after a failure."""

    def __init__(self, dsn: str, engine: PostgresEngine, timeout: float = DEFAULT_TIMEOUT) -> None:
        assert engine.layout is not None
        self.dsn = dsn
        self.timeout = timeout
        self.tables = engine.layout.tables()
        # Children first, so no cascade or SET NULL trigger has anything to do; one round trip.
        # Measured faster than TRUNCATE on near-empty tables.
        self._reset_sql = "".join(f"DELETE FROM {_quoted(t)};" for t in engine.layout.children_first()).encode()
        # Every table in one round trip (0.25 ms against 1.05 ms for ten queries: hostile-input contracts
        # snapshot twice per case); rows are sorted in Python, since not every column type has an
        # order in SQL (json has none) and the adapter chose the types.
        self._snapshot_sql = "".join(f"SELECT * FROM {_quoted(t)};" for t in self.tables).encode()
        self._conn: psycopg.Connection[tuple[Any, ...]] | None = None

    def connection(self) -> psycopg.Connection[tuple[Any, ...]]:
        conn = self._conn
        if conn is not None and not conn.closed and not conn.broken:
            return conn
        if conn is not None:
            conn.close()
        # Bounded: a server that vanished or stopped answering must surface as an error, not a hang.
        # In UTC: in the session zone of the databases the harness creates (+05:45) the latest instant
        # an adapter may store (limits.TIME_MAX) reads as 10000-01-01, which has no Python datetime,
        # and the snapshot would fail on a value the contract allows.
        self._conn = bounded_connect(self.dsn, self.timeout, utc=True)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def server_version(self) -> str:
        row = self.connection().execute("SHOW server_version").fetchone()
        assert row is not None
        return str(row[0]).split()[0]

    def present_tables(self) -> set[str]:
        rows = self.connection().execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')").fetchall()
        return {str(name) for (name,) in rows}

    def reset(self) -> None:
        self.connection().execute(self._reset_sql)

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        result: dict[str, list[tuple[Any, ...]]] = {}
        with self.connection().cursor() as cur:
            cur.execute(self._snapshot_sql)
            for index, table in enumerate(self.tables):
                if index:
                    cur.nextset()
                result[table] = sorted_rows(cur.fetchall())
        return result

    def conditions(self, *, created: bool) -> tuple[dict[str, str], dict[str, str]]:
        """The defaults a new session meets in this database, and each promised one it does not meet.

        Read from the engine's own connection, opened from the same DSN as the adapter's, with its
        session's time zone reset to the default a new session gets (its reads run in UTC), so what
        is read is what the adapter's sessions get.  ``created``: the harness created this
        database (else it is the DSN's own, whose defaults the harness does not change).
        """
        conn = self.connection()
        with conn.transaction():
            conn.execute("SET LOCAL TimeZone TO DEFAULT")
            row = conn.execute(
                "SELECT to_jsonb(d), current_setting('TimeZone'), extract(timezone FROM now())::int,"
                " current_setting('server_version_num')::int"
                " FROM pg_database d WHERE d.datname = current_database()").fetchone()
        info: dict[str, Any] = row[0] if row else {}
        zone, offset, version = (str(row[1]), int(row[2]), int(row[3])) if row else ("?", 0, 0)
        locale = info.get("datlocale") or info.get("daticulocale")
        provider = {"i": "ICU", "b": "builtin", "c": "libc"}.get(str(info.get("datlocprovider", "c")), "libc")
        collation = f"{provider} {locale}" if locale and provider != "libc" else f"libc {info.get('datcollate')}"
        found = {"default collation": collation, "TimeZone": zone}
        unmet: dict[str, str] = {}
        foreign = "the DSN's own database (--dsn-database existing), whose defaults the harness does not change"
        if provider != "ICU" or str(locale).replace("_", "-").lower() != "en-us":
            why = foreign if not created else (
                f"PostgreSQL {version // 10000} cannot create a database with an ICU default collation"
                if version < 150000 else "this server could not create an ICU en-US database")
            unmet[f"default collation {PROMISED_COLLATION}"] = f"{collation} instead: {why}"
        if offset != HOSTILE_OFFSET_SECONDS:
            why = foreign if not created else "the database's TimeZone setting did not take"
            unmet[f"TimeZone {PROMISED_TIMEZONE}"] = f"{zone} ({utc_offset(offset)}) instead: {why}"
        return found, unmet
