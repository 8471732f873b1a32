"""What a caller can observe of an adapter's answer, in a form two adapters can compare.

Records become field dicts (billing entry ids are opaque, so they are left
out); datetimes become ISO strings, so a non-UTC offset or a stray microsecond
shows; Decimals are tagged, so a float that happens to be equal does not pass;
pages keep only whether a next page exists, since cursors are opaque too.
Errors become (class name, field).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import AdapterError
from adapter_contracts.adapters.records import BillingEntry, Page

T = TypeVar("T")

_OPAQUE_FIELDS = {BillingEntry: {"id"}}


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """A returned value or a raised AdapterError."""

    value: T | None = None
    error: AdapterError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def attempt(op: Callable[[Adapter], T], adapter: Adapter) -> Outcome[T]:
    # Only the contract's errors are outcomes; anything else (a raw driver
    # exception) escapes and fails the test as the contract violation it is.
    try:
        return Outcome(value=op(adapter))
    except AdapterError as exc:
        return Outcome(error=exc)


def observe(value: Any) -> Any:
    if isinstance(value, Page):
        return {"items": [observe(item) for item in value.items], "has_next": value.next_cursor is not None}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        hidden = _OPAQUE_FIELDS.get(type(value), set())
        return {
            "record": type(value).__name__,
            **{f.name: observe(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name not in hidden},
        }
    if isinstance(value, datetime):
        return ("datetime", value.isoformat())
    if isinstance(value, Decimal):
        return ("Decimal", value)
    if isinstance(value, (list, tuple)):
        return [observe(item) for item in value]
    return value  # payload dicts compare by value; str, int, bool, None as themselves


def observe_outcome(outcome: Outcome[Any]) -> Any:
    if outcome.error is not None:
        exc = outcome.error
        return ("raised", type(exc).__name__, getattr(exc, "field", None), getattr(exc, "entity", None))
    return ("returned", observe(outcome.value))


def assert_same(call: str, got: Outcome[Any], want: Outcome[Any]) -> None:
    seen, expected = observe_outcome(got), observe_outcome(want)
    if seen != expected:
        raise AssertionError(f"{call}:\n  adapter   -> {seen!r}\n  reference -> {expected!r}")
