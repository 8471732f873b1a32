"""Keyset pages as MongoDB queries: windows, the cursor as a filter, the page query."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from pymongo import ASCENDING
from pymongo.collection import Collection

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.cursor import decode_cursor, encode_cursor
from adapter_contracts.adapters.mongo.codecs import format_timestamp
from adapter_contracts.adapters.records import Page
from adapter_contracts.adapters.validation import epoch_ms, from_epoch_ms

R = TypeVar("R")
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
        # A forged cursor may hold a lone surrogate, which BSON cannot encode.  No
        # stored id holds one, so "id > p + surrogate + rest" is "id >= p + U+E000".
        for index, char in enumerate(key):
            if "\ud800" <= char <= "\udfff":
                key, op = key[:index] + "\ue000", "$gte"
                break
    return {"$or": [{field: {"$gt": ts}}, {field: ts, tiebreak: {op: key}}]}


def page_of(
    collection: Collection[Doc], query: Doc, sort: tuple[str, str], scope: str,
    limit: int | None, after: str | None, convert: Callable[[Doc], R], key: Callable[[Doc], tuple[int, Any]],
    tiebreak_type: type,
) -> Page[R]:
    if after is not None:
        ms, last = decode_cursor(after, scope, int, tiebreak_type)
        assert isinstance(ms, int)
        later = after_query(sort[0], sort[1], ms, last)
        if later is None:
            return Page((), None)
        if later:
            query = {"$and": [query, later]} if query else later
    cursor = collection.find(query).sort([(sort[0], ASCENDING), (sort[1], ASCENDING)])
    if limit is not None:
        cursor = cursor.limit(limit + 1)
    docs = list(cursor)
    if limit is None or len(docs) <= limit:
        return Page(tuple(convert(d) for d in docs), None)
    docs = docs[:limit]
    return Page(tuple(convert(d) for d in docs), encode_cursor(scope, *key(docs[-1])))
