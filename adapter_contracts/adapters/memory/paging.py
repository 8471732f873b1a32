"""Listings of the reference: sorted in Python, filtered by the decoded cursor, one page cut."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from adapter_contracts.adapters.cursor import decode_cursor, encode_cursor
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
    if limit is None or len(ordered) <= limit:
        return Page(tuple(payload_copy(r) for r in ordered), None)
    page = ordered[:limit]
    return Page(tuple(payload_copy(r) for r in page), encode_cursor(scope, *sort_key(page[-1])))


def in_window(value: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or value >= start) and (end is None or value < end)
