"""Driver errors as the contract's errors."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from bson.errors import InvalidDocument
from pymongo.errors import ConnectionFailure, DuplicateKeyError, PyMongoError

from adapter_contracts.adapters.errors import AdapterError, Conflict, StorageUnavailable, ValidationError

P = ParamSpec("P")
R = TypeVar("R")
Doc = dict[str, Any]


def _dup_field(exc: DuplicateKeyError) -> str:
    pattern = (exc.details or {}).get("keyPattern") or {}
    return "email" if "email" in pattern else "id"


@contextmanager
def _driver_errors() -> Iterator[None]:
    try:
        yield
    except AdapterError:
        raise
    except DuplicateKeyError as exc:
        raise Conflict(_dup_field(exc)) from exc
    except ConnectionFailure as exc:  # AutoReconnect, ServerSelectionTimeoutError, NetworkTimeout
        raise StorageUnavailable(f"MongoDB unreachable: {type(exc).__name__}") from exc
    except (InvalidDocument, OverflowError) as exc:  # validation should make these unreachable
        raise ValidationError("document", f"not encodable as BSON: {exc}") from exc
    except PyMongoError as exc:
        raise AdapterError(f"MongoDB error: {type(exc).__name__}: {exc}") from exc


def _mapped(method: Callable[P, R]) -> Callable[P, R]:
    """Translate driver exceptions escaping ``method`` into adapter errors."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with _driver_errors():
            return method(*args, **kwargs)

    return wrapper
