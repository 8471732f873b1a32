"""The one error hierarchy every adapter raises.

Callers catch :class:`AdapterError` for "anything the storage layer refused"
and the subclasses for the cases they can act on.  Adapters translate every
driver exception into one of these; a raw driver error escaping an adapter is
a contract violation.
"""

from __future__ import annotations

__all__ = [
    "AdapterError",
    "Conflict",
    "MissingReference",
    "NotFound",
    "StorageUnavailable",
    "Unsupported",
    "ValidationError",
]


class AdapterError(Exception):
    """Root of every error an adapter may raise."""


class ValidationError(AdapterError, ValueError):
    """The input is outside the documented domain; nothing was written.

    ``field`` names the offending argument (``"email"``, ``"payload"``,
    ``"timestamp"``...), so callers and contracts can tell which input failed.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Conflict(AdapterError):
    """A unique field (``"id"`` or ``"email"``) already belongs to another row."""

    def __init__(self, field: str, message: str | None = None) -> None:
        super().__init__(message or f"{field} already exists")
        self.field = field


class MissingReference(AdapterError):
    """A child names a parent that does not exist; nothing was written.

    ``field`` is the referencing argument (``"user_id"``, ``"client_id"``,
    ``"admin_id"``).
    """

    def __init__(self, field: str, message: str | None = None) -> None:
        super().__init__(message or f"{field} does not reference an existing row")
        self.field = field


class NotFound(AdapterError, LookupError):
    """An update addressed a row that does not exist."""

    def __init__(self, entity: str, key: object) -> None:
        super().__init__(f"no {entity} with key {key!r}")
        self.entity = entity
        self.key = key


class StorageUnavailable(AdapterError):
    """The storage could not be reached or the connection broke mid-operation.

    The operation may be retried; the adapter must accept the next call.
    """


class Unsupported(AdapterError):
    """The adapter declared that it does not implement an optional capability."""

    def __init__(self, capability: str) -> None:
        super().__init__(f"capability not supported by this adapter: {capability}")
        self.capability = capability
