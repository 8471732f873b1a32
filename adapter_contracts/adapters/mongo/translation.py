"""Driver errors as the contract's errors.

pymongo raises the same classes from ``MongoClient`` and ``AsyncMongoClient``,
so an asynchronous adapter translates with this same function.
"""

from __future__ import annotations

from bson.errors import InvalidDocument
from pymongo.errors import ConnectionFailure, DuplicateKeyError, PyMongoError

from adapter_contracts.adapters.errors import AdapterError, Conflict, StorageUnavailable, ValidationError

#: What a driver call may raise: pymongo's errors, and BSON's encoding refusals.
DRIVER_ERRORS: tuple[type[Exception], ...] = (PyMongoError, InvalidDocument, OverflowError)


def _dup_field(exc: DuplicateKeyError) -> str:
    pattern = (exc.details or {}).get("keyPattern") or {}
    return "email" if "email" in pattern else "id"


def translate(exc: Exception) -> AdapterError:
    """The contract's error for one of :data:`DRIVER_ERRORS`."""
    if isinstance(exc, DuplicateKeyError):
        return Conflict(_dup_field(exc))
    if isinstance(exc, ConnectionFailure):  # AutoReconnect, ServerSelectionTimeoutError, NetworkTimeout
        return StorageUnavailable(f"MongoDB unreachable: {type(exc).__name__}")
    if isinstance(exc, (InvalidDocument, OverflowError)):  # validation should make these unreachable
        return ValidationError("document", f"not encodable as BSON: {exc}")
    return AdapterError(f"MongoDB error: {type(exc).__name__}: {exc}")
