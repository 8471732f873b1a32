"""Keyset pages in SQL: cursor positions MySQL can bind, windows, and the two-step page query."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.cursor import decode_cursor, text_after
from adapter_contracts.adapters.mysql.codecs import naive
from adapter_contracts.adapters.mysql.connection import Cursor
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


_MS_LAST = epoch_ms(limits.TIME_MAX)
_SEQ_MAX = 2**63 - 1


def decode_after(after: str | None, scope: str, tail: type) -> tuple[datetime | None, Any, bool] | None:
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


def _after_sql(column: str, key: tuple[datetime | None, Any, bool]) -> tuple[str, list[Any]]:
    """Rows strictly after the keyset position ``key`` in (column, id) order."""
    moment, last, inclusive = key
    op = ">=" if inclusive else ">"
    return f" AND ({column} > %s OR ({column} = %s AND id {op} %s))", [moment, moment, last]


def keyset_rows(
    cur: Cursor, table: str, columns: str, where: str, params: list[Any], column: str,
    key: tuple[datetime | None, Any, bool] | None, limit: int | None,
) -> Sequence[Any]:
    """Rows of ``table`` matching ``where`` after the cursor position in (column, id) order, one past the page.

    The server sorts keys only: the page's ids are picked in a derived table over
    (column, id), which the (…, column, id) index covers, and the rows are fetched by
    primary key and put in order here.  Sorting the rows themselves carried their JSON
    into the sort buffer, and Oracle MySQL (9.7 here, 256 KiB sort_buffer_size) then
    failed a page holding a 1 MiB payload with error 1038 "Out of sort memory"
    (MariaDB never showed it).  Every key column has a binary collation or is a
    number or DATETIME, so Python's order of the values is the server's.
    """
    if key is not None and key[0] is None:  # a cursor past every storable moment
        return []
    if key is not None:
        clause, extra = _after_sql(column, key)
        where += clause
        params = params + extra
    page = f"SELECT id FROM {table} WHERE {where} ORDER BY {column}, id"
    if limit is not None:
        page += f" LIMIT {limit + 1}"
    names = [name.strip() for name in columns.split(",")]
    selected = ", ".join(f"t.{name}" for name in names)
    # One statement: the ids and the rows come from one snapshot, with no transaction left open.
    cur.execute(f"SELECT {selected} FROM ({page}) AS k JOIN {table} AS t ON t.id = k.id", params)
    at, id_at = names.index(column), names.index("id")
    rows: list[Any] = sorted(cur.fetchall(), key=lambda row: (row[at], row[id_at]))
    return rows

