"""Keyset pages in SQL: cursor positions MySQL can bind, windows, and the two-step page query."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.cursor import decode_cursor, text_after
from adapter_contracts.adapters.mysql.codecs import naive
from adapter_contracts.adapters.validation import epoch_ms, from_epoch_ms


def window_sql(column: str, start: datetime | None, end: datetime | None) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if start is not None:
        clauses.append(f"{column} >= %s")
        params.append(naive(start))
    if end is not None:
        clauses.append(f"{column} < %s")
        params.append(naive(end))
    return "".join(f" AND {c}" for c in clauses), params


Row = tuple[Any, ...]
#: Where a page starts: (moment, last key, whether the key bound is inclusive); moment None is past every row.
KeysetPosition = tuple[datetime | None, Any, bool]

_MS_LAST = epoch_ms(limits.TIME_MAX)
_SEQ_MAX = 2**63 - 1


def decode_after(after: str | None, scope: str, tail: type) -> KeysetPosition | None:
    """The keyset position of a cursor as bindable values: (moment, last key, whether the key bound is inclusive).

    Moment None means past every row.  Cursors are opaque but forgeable:
    positions outside what a column can hold are clamped so they order like
    the reference's plain tuples (:func:`~adapter_contracts.adapters.cursor.text_after`
    for text the server cannot bind).
    """
    if after is None:
        return None
    ms, last = decode_cursor(after, scope, int, tail)
    assert isinstance(ms, int)
    if ms > _MS_LAST:
        return None, last, False
    inclusive = False
    if isinstance(last, str):
        last, inclusive = text_after(last)
    elif isinstance(last, int):
        last = max(-1, min(last, _SEQ_MAX))
    return naive(from_epoch_ms(max(ms, -1))), last, inclusive


def _after_sql(column: str, key: KeysetPosition) -> tuple[str, list[Any]]:
    """Rows strictly after the keyset position ``key`` in (column, id) order."""
    moment, last, inclusive = key
    op = ">=" if inclusive else ">"
    return f" AND ({column} > %s OR ({column} = %s AND id {op} %s))", [moment, moment, last]


def page_query(
    table: str, columns: str, where: str, params: list[Any], column: str,
    start: KeysetPosition | None, limit: int | None,
) -> tuple[str, list[Any]] | None:
    """The statement reading the rows of ``table`` matching ``where`` after ``start``, one past ``limit``.

    None when no row can follow ``start``.  The server sorts keys only: the
    page's ids are picked in a derived table over (column, id), which the
    (…, column, id) index covers, and the rows are fetched by primary key and
    put in order by :func:`in_keyset_order`.  Sorting the rows themselves
    carried their JSON into the sort buffer, and Oracle MySQL (9.7 here, 256 KiB
    sort_buffer_size) then failed a page holding a 1 MiB payload with error 1038
    "Out of sort memory" (MariaDB never showed it).  One statement: the ids and
    the rows come from one snapshot, with no transaction left open.
    """
    if start is not None and start[0] is None:  # a cursor past every storable moment
        return None
    if start is not None:
        clause, extra = _after_sql(column, start)
        where += clause
        params = params + extra
    page = f"SELECT id FROM {table} WHERE {where} ORDER BY {column}, id"
    if limit is not None:
        page += f" LIMIT {limit + 1}"
    selected = ", ".join(f"t.{name}" for name in _names(columns))
    return f"SELECT {selected} FROM ({page}) AS k JOIN {table} AS t ON t.id = k.id", params


def in_keyset_order(rows: Sequence[Row], columns: str, column: str) -> list[Row]:
    """The rows :func:`page_query` read, in (column, id) order.

    Every key column has a binary collation or is a number or DATETIME, so
    Python's order of the values is the server's.
    """
    names = _names(columns)
    at, id_at = names.index(column), names.index("id")
    return sorted(rows, key=lambda row: (row[at], row[id_at]))


def _names(columns: str) -> list[str]:
    return [name.strip() for name in columns.split(",")]
