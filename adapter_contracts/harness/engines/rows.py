"""Raw rows as plain values in a stable order, whatever the column types.

The harness's snapshots compare what storage holds before and after a call.
They read tables the adapter laid out, which may deviate from the canonical
layout in any way (a ``json`` column where the layout has ``jsonb``, a text
column where it has JSON, a column missing): the layout contract reports such
a deviation, one line per difference, so the harness's own reads must not
fail on it.  Rows are therefore sorted here, in Python, by a key every value
has, never by the server (PostgreSQL has no ordering for ``json``) and never
by what a column is supposed to hold.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

__all__ = ["canonical_json", "plain", "sort_key", "sorted_rows"]

#: Types whose values order among themselves (NaN aside, handled below).
_ORDERED = (bool, int, float, Decimal, str, bytes, datetime, date, time, timedelta, UUID)


#: Exactly these types are their own plain value (an aware datetime is moved to UTC): most of a
#: snapshot's values, which otherwise pass three isinstance checks each (a snapshot is read after
#: every call that must write nothing).
_AS_IS = frozenset({type(None), *_ORDERED}) - {datetime}
#: json.dumps with options builds a new encoder per call; a snapshot's documents share this one.
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, default=str)
#: Exactly these types order among themselves whatever their value (no NaN, no naive and aware
#: datetimes apart), grouped by their name.
_NAMES = {kind: kind.__name__ for kind in _ORDERED if kind not in (float, Decimal, datetime)}
_NULL = (False, "", 0)


def canonical_json(value: Any) -> str:
    """``value`` as JSON text in one spelling: keys sorted, what JSON cannot hold as its ``str``."""
    return _CANONICAL_JSON.encode(value)


def plain(value: Any) -> Any:
    """A hashable, comparable value: JSON documents as canonical text, aware datetimes in UTC,
    binary buffers as bytes."""
    if type(value) in _AS_IS:
        return value
    if isinstance(value, (dict, list)):
        return canonical_json(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    if isinstance(value, (memoryview, bytearray)):
        return bytes(value)
    return value


def _part(value: Any) -> tuple[bool, str, Any]:
    # NULLs first; values grouped by type name, so values of different types never meet.
    name = _NAMES.get(type(value))
    if name is not None:
        return (True, name, value)
    if value is None:
        return _NULL
    if isinstance(value, _ORDERED) and not _unordered(value):
        if isinstance(value, datetime):
            # Aware and naive datetimes do not compare: group them apart.
            return (True, f"datetime-{value.tzinfo is not None}", value)
        return (True, type(value).__name__, value)
    return (True, "~" + type(value).__name__, repr(value))


def _unordered(value: Any) -> bool:
    """NaN compares with nothing (a Decimal NaN even raises)."""
    if isinstance(value, Decimal):
        return value.is_nan()
    return isinstance(value, float) and value != value


def sort_key(row: Iterable[Any]) -> tuple[tuple[bool, str, Any], ...]:
    return tuple(map(_part, row))


def sorted_rows(rows: Iterable[Iterable[Any]]) -> list[tuple[Any, ...]]:
    """``rows`` as tuples of :func:`plain` values, sorted by every column."""
    return sorted([tuple(map(plain, row)) for row in rows], key=sort_key)
