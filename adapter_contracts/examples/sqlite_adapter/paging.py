"""Listings in SQL: time windows as bound parameters, and the statement reading one keyset page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapter_contracts import decode_cursor, epoch_ms, text_after

#: SQLite's INTEGER range.  A forged cursor's integer parts are clamped to it: every stored
#: time and insertion number lies inside, so the rows after the clamped key are the same.
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1


def in_window(column: str, lo: datetime | None, hi: datetime | None) -> tuple[str, list[Any]]:
    sql, params = "", []
    if lo is not None:
        sql += f" AND {column} >= ?"
        params.append(epoch_ms(lo))
    if hi is not None:
        sql += f" AND {column} < ?"
        params.append(epoch_ms(hi))
    return sql, params


def page_query(
    sql: str, params: list[Any], order: tuple[str, str], scope: str, types: tuple[type, type],
    limit: int | None, after: str | None,
) -> tuple[str, list[Any]]:
    """``sql`` selects rows with a WHERE clause; this adds the cursor, order and limit."""
    if after is not None:
        moment, last = (_bindable(part) for part in decode_cursor(after, scope, *types))
        tail, inclusive = last if isinstance(last, tuple) else (last, False)
        sql += f" AND ({order[0]}, {order[1]}) {'>=' if inclusive else '>'} (?, ?)"
        params = [*params, moment, tail]
    sql += f" ORDER BY {order[0]}, {order[1]}"
    if limit is not None:
        # One extra row tells whether a next page exists.
        sql += " LIMIT ?"
        params = [*params, limit + 1]
    return sql, params


def _bindable(part: str | int) -> int | tuple[str, bool]:
    """A cursor part SQLite can receive: integers clamped, text as ``text_after``'s (bound, inclusive)."""
    if isinstance(part, int):
        return max(_INT_MIN, min(part, _INT_MAX))
    return text_after(part)
