"""PostgreSQL's own word for a fault of the server or its machine, read from a driver error (never the adapter's)."""

from __future__ import annotations

import psycopg

__all__ = ["server_fault"]

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
