"""PostgreSQL's own word for a fault of the server or its machine, read from a driver error (never the adapter's)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import psycopg

from adapter_contracts.adapters.postgres.bounds import bounded_connect

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.postgres.storage import RawStorage

__all__ = ["health", "server_fault"]

#: SQLSTATE -> the server's fault, as the verdict names it.
RESOURCE_FAULTS = {
    "53000": "insufficient resources", "53100": "disk full", "53200": "out of memory",
    "53300": "too many connections", "53400": "configuration limit exceeded",
    "25006": "read-only (the server or the database refuses writes)",
    "55P03": "lock timeout", "57014": "statement timeout",
    "57P01": "server shutting down", "57P02": "server crashed", "57P03": "server starting or shutting down",
    "57P05": "idle session ended by the server", "58030": "I/O error",
}


def server_fault(exc: BaseException) -> str | None:
    """The fault ``exc`` shows, or None when it is no fault of the server's."""
    if not isinstance(exc, psycopg.Error):
        return None
    sqlstate = exc.sqlstate or ""
    if sqlstate in RESOURCE_FAULTS:
        return RESOURCE_FAULTS[sqlstate]
    if sqlstate.startswith("08") or (isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError))
                                     and not sqlstate):
        return "server stopped answering"
    return None


def health(storage: RawStorage) -> str | None:
    """The server's fault now, seen from a fresh connection and from the engine's own, or None.

    Connections are counted by who holds them: when the server is full, the connections to the
    adapter's database are the adapter's own (the engine's one excepted); a server filled by the
    adapter is the adapter's failure, never excused as the server's.  (A refused connection carries
    no SQLSTATE in psycopg, so "full" is read from the counts, not from the refusal.)
    """
    refused: str | None = None
    try:
        with bounded_connect(storage.dsn, storage.timeout) as fresh:
            row = fresh.execute("SELECT pg_is_in_recovery(), current_setting('default_transaction_read_only')"
                                ).fetchone()
        if row is not None and (row[0] or row[1] == "on"):
            return "read-only (the server is a standby or refuses writes by default)"
    except psycopg.Error as exc:
        refused = server_fault(exc) or "a new connection was refused"
    try:
        counted = storage.connection().execute(
            "SELECT count(*) FILTER (WHERE datname = current_database() AND pid <> pg_backend_pid()), count(*),"
            " current_setting('max_connections')::int, current_setting('superuser_reserved_connections')::int"
            " FROM pg_stat_activity WHERE backend_type = 'client backend'").fetchone()
    except psycopg.Error as exc:
        return server_fault(exc) or refused
    if counted is None:
        return refused
    adapters, total, most, reserved = (int(value) for value in counted)
    if total >= most - reserved:
        if adapters * 2 >= total:
            return None  # the adapter holds them: its own failure
        return f"too many connections ({total - adapters} of the server's {most} held by other clients)"
    return refused
