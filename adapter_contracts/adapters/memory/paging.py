"""Listings of the reference: sorted in Python, filtered by the decoded cursor, one page cut."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from adapter_contracts.adapters.cursor import decode_cursor, keyset_page
from adapter_contracts.adapters.memory.codecs import payload_copy
from adapter_contracts.adapters.records import Page

T = TypeVar("T")


def page_of(
    rows: Iterable[T],
    sort_key: Callable[[T], tuple[Any, ...]],
    scope: str,
    limit: int | None,
    after: str | None,
    types: tuple[type, ...],
) -> Page[T]:
    ordered = sorted(rows, key=sort_key)
    if after is not None:
        key = decode_cursor(after, scope, *types)
        ordered = [row for row in ordered if sort_key(row) > key]
    # Read one past the page, as a database would, and copy only what is returned.
    fetched = ordered if limit is None else ordered[:limit + 1]
    return keyset_page([payload_copy(row) for row in fetched], limit=limit, scope=scope, key=sort_key)


def in_window(value: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or value >= start) and (end is None or value < end)
