"""MySQL's and MariaDB's own word for a fault of the server or its machine, read from a driver error."""

from __future__ import annotations

import pymysql

__all__ = ["server_fault"]

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
