"""Keyset pages in SQL: the cursor as a comparison PostgreSQL can evaluate, and time windows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.cursor import decode_cursor, text_after
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
    bound, inclusive = text_after(tail)
    return (">=" if inclusive else ">", at, bound)


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


def page_query(
    select: str,
    conditions: list[str],
    params: list[Any],
    order: tuple[str, str],
    page: tuple[str, int | None, str | None, type],
) -> tuple[str, list[Any]] | None:
    """The statement reading one page, one row past the limit; None when no row can follow the cursor.

    ``page`` is (scope, limit, after, type of the key's tail) and ``order`` the
    (time, tail) columns.
    """
    scope, limit, after, tail_type = page
    conditions = list(conditions)
    params = list(params)
    if after is not None:
        ms, tail = decode_cursor(after, scope, int, tail_type)
        assert isinstance(ms, int)
        bound = keyset_bound(ms, tail)
        if bound is None:
            return None
        op, at, key = bound
        if op:
            conditions.append(f"({order[0]}, {order[1]}) {op} (%s, %s)")
            params += [at, key]
    sql = f"{select} WHERE {' AND '.join(conditions)} ORDER BY {order[0]}, {order[1]}"
    if limit is not None:
        sql += " LIMIT %s"
        params.append(limit + 1)
    return sql, params
