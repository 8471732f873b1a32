"""Listings in SQL: time windows as bound parameters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapter_contracts import epoch_ms


def in_window(column: str, lo: datetime | None, hi: datetime | None) -> tuple[str, list[Any]]:
    sql, params = "", []
    if lo is not None:
        sql += f" AND {column} >= ?"
        params.append(epoch_ms(lo))
    if hi is not None:
        sql += f" AND {column} < ?"
        params.append(epoch_ms(hi))
    return sql, params
