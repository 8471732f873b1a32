"""MySQL's and MariaDB's own word for a fault of the server or its machine, read from a driver error."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pymysql

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.mysql.storage import RawStorage

__all__ = ["health", "server_fault"]

#: Server error code -> the server's fault, as the verdict names it.
RESOURCE_FAULTS = {
    1040: "too many connections", 1203: "too many connections (the user's limit)",
    1021: "disk full", 1114: "table full (disk or size limit)", 3: "disk full or I/O error",
    1290: "read-only (the server runs with --read-only)", 1836: "read-only", 1792: "read-only transaction",
    1037: "out of memory", 1038: "out of memory (sort buffer)", 1041: "out of memory",
    1205: "lock timeout", 1053: "server shutting down", 1927: "connection killed by the server",
}
#: Client error codes: the server did not answer (CR_CONNECTION_ERROR, CR_CONN_HOST_ERROR,
#: CR_SERVER_GONE_ERROR, CR_SERVER_LOST, CR_SERVER_HANDSHAKE_ERR).
_GONE = {2002, 2003, 2006, 2013, 2012}


def server_fault(exc: BaseException) -> str | None:
    """The fault ``exc`` shows, or None when it is no fault of the server's."""
    if not isinstance(exc, pymysql.err.Error):
        return None
    code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
    if code in RESOURCE_FAULTS:
        return RESOURCE_FAULTS[code]
    if code in _GONE or isinstance(exc, pymysql.err.InterfaceError):
        return "server stopped answering"
    return None


def health(storage: RawStorage) -> str | None:
    """The server's fault now, seen from a fresh connection and from the engine's own, or None.

    Connections are counted by who holds them: when the server is full, the sessions in the adapter's
    database are the adapter's own (the engine's one excepted); a server filled by the adapter is the
    adapter's failure, never excused as the server's.
    """
    refused: str | None = None
    try:
        with storage.address.connect(storage.database) as fresh, fresh.cursor() as cur:
            cur.execute("SELECT @@read_only")
            row = cur.fetchone()
        if row is not None and int(row[0] or 0):
            return "read-only (the server runs with read_only)"
    except pymysql.err.Error as exc:
        refused = server_fault(exc) or "a new connection was refused"
    try:
        with storage.cursor() as cur:
            cur.execute("SELECT SUM(db = DATABASE() AND id <> CONNECTION_ID()), COUNT(*), @@max_connections"
                        " FROM information_schema.processlist WHERE command <> 'Daemon'")
            counted = cur.fetchone()
    except pymysql.err.Error as exc:
        return server_fault(exc) or refused
    if counted is None:
        return refused
    adapters, total, most = (int(value or 0) for value in counted)
    if total >= most or (refused or "").startswith("too many connections"):
        if adapters * 2 >= total:
            return None  # the adapter holds them: its own failure
        return f"too many connections ({total - adapters} of the server's {most} held by other clients)"
    return refused
