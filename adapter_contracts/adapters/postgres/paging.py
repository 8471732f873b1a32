"""Keyset pages in SQL: the cursor as a comparison PostgreSQL can evaluate, and time windows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.validation import epoch_ms, from_epoch_ms

_MAX_MS = epoch_ms(limits.TIME_MAX)
_BIGINT_MAX = 2**63 - 1
_BIGINT_MIN = -(2**63)


def keyset_bound(ms: int, tail: str | int) -> tuple[str, datetime, str | int] | None:
    """The SQL comparison ``(time, key) OP (bound_time, bound_key)`` equivalent to "after (ms, tail)".

    Cursors are decoded JSON, so their parts can be values no row can hold: times
    outside the contract's range, integers outside bigint, text with NUL or lone
    surrogates (which Postgres cannot even receive).  Each is replaced by the
    nearest bound that selects the same rows in the reference's code-point order.
    Returns None when no row can follow the cursor; the operator "" means every row does.
    """
    if ms > _MAX_MS:
        return None
    if ms < 0:
        return ("", limits.TIME_MIN, "")
    at = from_epoch_ms(ms)
    if isinstance(tail, int):
        return (">", at, min(max(tail, _BIGINT_MIN), _BIGINT_MAX))
    for index, char in enumerate(tail):
        if char == "\x00":
            # For NUL-free s: s > p + "\0" + r  <=>  s > p.
            return (">", at, tail[:index])
        if "\ud800" <= char <= "\udfff":
            # For surrogate-free s: s > p + surrogate + r  <=>  s >= p + U+E000.
            return (">=", at, tail[:index] + "\ue000")
    return (">", at, tail)


def window(
    column: str, lo: datetime | None, hi: datetime | None, conditions: list[str], params: list[Any]
) -> tuple[list[str], list[Any]]:
    conditions, params = list(conditions), list(params)
    if lo is not None:
        conditions.append(f"{column} >= %s")
        params.append(lo)
    if hi is not None:
        conditions.append(f"{column} < %s")
        params.append(hi)
    return conditions, params
