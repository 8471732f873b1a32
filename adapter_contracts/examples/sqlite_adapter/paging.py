"""Listings in SQL: time windows as bound parameters, and the statement reading one keyset page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapter_contracts import decode_cursor, epoch_ms


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
        last = decode_cursor(after, scope, *types)
        sql += f" AND ({order[0]}, {order[1]}) > (?, ?)"
        params = [*params, *last]
    sql += f" ORDER BY {order[0]}, {order[1]}"
    if limit is not None:
        # One extra row tells whether a next page exists.
        sql += " LIMIT ?"
        params = [*params, limit + 1]
    return sql, params
