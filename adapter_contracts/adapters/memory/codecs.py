"""What the reference stores is what it returns, as copies: callers may mutate what they get."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any, TypeVar

T = TypeVar("T")


def _json_copy(value: Any) -> Any:
    """A fresh copy of a JSON value: only dicts and lists are mutable in one."""
    if isinstance(value, dict):
        return {key: _json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_copy(item) for item in value]
    return value


def payload_copy(record: T) -> T:
    """The record with fresh copies of its JSON fields (callers may mutate them).

    Records are frozen and their other fields immutable, so a record without
    JSON fields is returned as is.  Four times faster than copy.deepcopy, which
    the model test calls some 20,000 times per run.
    """
    if record is None:
        return record
    changes = {
        f.name: _json_copy(value) for f in fields(record)  # type: ignore[arg-type]
        if isinstance(value := getattr(record, f.name), (dict, list))
    }
    return replace(record, **changes) if changes else record  # type: ignore[type-var]
