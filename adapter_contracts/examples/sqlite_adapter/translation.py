"""Driver errors as the contract's errors: what each sqlite3 failure means for the caller."""

from __future__ import annotations

import sqlite3

from adapter_contracts import AdapterError, Conflict, MissingReference, StorageUnavailable

# Messages of OperationalError that mean "storage not reachable right now, retry".
_UNAVAILABLE = (
    "database is locked",
    "database table is locked",
    "disk i/o error",
    "unable to open database",
    "database or disk is full",
    "readonly database",
)


def translate(exc: sqlite3.Error) -> AdapterError:
    """The contract's error for a driver error.

    Every sqlite3 call runs inside ``translate_errors(sqlite3.Error, translate)``.
    """
    message = str(exc)
    lowered = message.lower()
    if isinstance(exc, sqlite3.IntegrityError):
        if "unique constraint failed: users.email" in lowered:
            return Conflict("email")
        if "unique constraint failed" in lowered:
            return Conflict("id")
        if "foreign key constraint failed" in lowered:
            # Parents are checked explicitly under the write lock first, so this
            # only fires on a schema the adapter did not create.
            return MissingReference("reference", message)
        return AdapterError(f"integrity error: {message}")
    if isinstance(exc, sqlite3.OperationalError) and any(m in lowered for m in _UNAVAILABLE):
        return StorageUnavailable(f"sqlite: {message}")
    if isinstance(exc, sqlite3.ProgrammingError) and "closed" in lowered:
        return AdapterError("the adapter was closed")
    return AdapterError(f"sqlite: {type(exc).__name__}: {message}")
