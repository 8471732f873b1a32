"""Keyset pages as MongoDB queries: windows, the cursor as a filter, the page query."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.cursor import decode_cursor, text_after
from adapter_contracts.adapters.mongo.codecs import format_timestamp
from adapter_contracts.adapters.validation import epoch_ms, from_epoch_ms

Doc = dict[str, Any]

_MAX_MS = epoch_ms(limits.TIME_MAX)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def window(field: str, lo: datetime | None, hi: datetime | None) -> Doc:
    bounds: Doc = {}
    if lo is not None:
        bounds["$gte"] = format_timestamp(lo)
    if hi is not None:
        bounds["$lt"] = format_timestamp(hi)
    return {field: bounds} if bounds else {}


def after_query(field: str, tiebreak: str, ms: int, key: object) -> Doc | None:
    """Rows whose (field, tiebreak) sorts after the cursor key; None when no row can."""
    if ms < 0:
        return {}  # every stored time is >= 1970, so every row is after it
    if ms > _MAX_MS:
        return None
    ts = format_timestamp(from_epoch_ms(ms))
    op = "$gt"
    if isinstance(key, int):
        key = min(max(key, _INT64_MIN), _INT64_MAX)  # stored seqs lie well inside int64
    elif isinstance(key, str):
        key, inclusive = text_after(key)  # BSON cannot encode a forged cursor's lone surrogate
        op = "$gte" if inclusive else "$gt"
    return {"$or": [{field: {"$gt": ts}}, {field: ts, tiebreak: {op: key}}]}


def page_filter(query: Doc, order: tuple[str, str], scope: str, after: str | None, tail_type: type) -> Doc | None:
    """``query`` narrowed to the rows after the cursor ``after`` in ``order``; None when no row can follow it."""
    if after is None:
        return query
    ms, last = decode_cursor(after, scope, int, tail_type)
    assert isinstance(ms, int)
    later = after_query(order[0], order[1], ms, last)
    if later is None:
        return None
    if not later:
        return query
    return {"$and": [query, later]} if query else later
