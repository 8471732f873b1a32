"""The one error hierarchy every adapter raises, and the one way adapters translate driver errors into it.

Callers catch :class:`AdapterError` for "anything the storage layer refused"
and the subclasses for the cases they can act on.  Adapters translate every
driver exception into one of these; a raw driver error escaping an adapter is
a contract violation.  Every adapter of this repository does it the same way:
each driver call runs inside :func:`translate_errors`, given the driver's base
exception class and the engine's own ``translate`` function (``translation.py``
in each adapter package).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

__all__ = [
    "AdapterError",
    "Conflict",
    "MissingReference",
    "NotFound",
    "StorageUnavailable",
    "Unsupported",
    "ValidationError",
    "translate_errors",
]

E = TypeVar("E", bound=BaseException)


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


@contextmanager
def translate_errors(
    driver_errors: type[E] | tuple[type[E], ...], translate: Callable[[E], AdapterError]
) -> Iterator[None]:
    """Run the block with every ``driver_errors`` exception it raises replaced by ``translate(exc)``.

    ``translate`` returns the :class:`AdapterError` to raise instead (it may look at
    the storage, but must not raise a driver error itself).  AdapterErrors raised
    in the block, and exceptions that are not ``driver_errors``, pass unchanged.
    The driver's exception is not chained: its message belongs in the
    AdapterError's, and a caller's traceback stays one error long.  A
    synchronous context manager, so it also guards ``await`` in a coroutine::

        with translate_errors(sqlite3.Error, translate):
            conn.execute("INSERT INTO users ...", row)
    """
    try:
        yield
    except AdapterError:
        raise
    except driver_errors as exc:
        raise translate(exc) from None
