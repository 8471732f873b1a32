"""One autocommit psycopg connection: (re)connecting, statements, and their errors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg
from psycopg import errors as pg_errors
from psycopg.types.json import set_json_loads

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.cursor import keyset_page
from adapter_contracts.adapters.errors import AdapterError, Conflict, MissingReference, StorageUnavailable
from adapter_contracts.adapters.postgres.codecs import load_json
from adapter_contracts.adapters.postgres.paging import page_query
from adapter_contracts.adapters.postgres.translation import FOREIGN_KEY_FIELDS, UNIQUE_FIELDS
from adapter_contracts.adapters.records import Page

T = TypeVar("T")
Row = tuple[Any, ...]
Params = Sequence[Any]

#: A parent to re-check after an integrity error: (field, table, id).
Parent = tuple[str, str, str | None]


@dataclass(frozen=True, slots=True)
class _Result:
    rows: list[Row]
    rowcount: int

    def fetchone(self) -> Row | None:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[Row]:
        return self.rows


class PostgresConnection(Adapter):
    """The contract over PostgreSQL; ``conninfo`` is a libpq DSN or URL."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._conn: psycopg.Connection[Row] | None = None

    # -- connection and error mapping ---------------------------------------

    def _connection(self) -> psycopg.Connection[Row]:
        conn = self._conn
        if conn is not None and not conn.closed and not conn.broken:
            return conn
        if conn is not None:
            conn.close()
            self._conn = None
        try:
            conn = psycopg.connect(self._conninfo, autocommit=True)
        except psycopg.OperationalError as exc:
            raise StorageUnavailable(f"cannot connect to PostgreSQL: {exc}") from None
        except psycopg.Error as exc:
            raise AdapterError(f"cannot connect to PostgreSQL: {exc}") from None
        try:
            set_json_loads(load_json, conn)
            conn.execute("SET TIME ZONE 'UTC'")
        except psycopg.Error as exc:
            conn.close()
            raise StorageUnavailable(f"cannot set up the PostgreSQL session: {exc}") from None
        self._conn = conn
        return conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _execute(self, sql: str, params: Params = (), parents: Sequence[Parent] = ()) -> _Result:
        conn = self._connection()
        try:
            cur = conn.execute(sql, params)
            # Rows are loaded (and can fail to load) on fetch: fetch inside the mapping.
            return _Result(cur.fetchall() if cur.description is not None else [], cur.rowcount)
        except psycopg.Error as exc:
            raise self._translate(exc, parents) from None

    def _translate(self, exc: psycopg.Error, parents: Sequence[Parent]) -> AdapterError:
        if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)) or (
            self._conn is not None and (self._conn.closed or self._conn.broken)
        ):
            return StorageUnavailable(f"PostgreSQL unavailable: {exc}")
        if isinstance(exc, psycopg.IntegrityError):
            # The statement failed as a whole; report the first missing parent in
            # signature order, as the reference does, before any other conflict.
            for field, table, key in parents:
                if key is not None and not self._exists(table, key):
                    return MissingReference(field)
            constraint = exc.diag.constraint_name or ""
            if isinstance(exc, pg_errors.UniqueViolation):
                return Conflict(UNIQUE_FIELDS.get(constraint, "id"))
            if isinstance(exc, pg_errors.ForeignKeyViolation) and constraint in FOREIGN_KEY_FIELDS:
                return MissingReference(FOREIGN_KEY_FIELDS[constraint])
        if exc.sqlstate is None:
            return AdapterError(f"psycopg could not carry out the operation: {exc}")
        return AdapterError(f"PostgreSQL refused the operation ({exc.sqlstate}): {exc}")

    def _exists(self, table: str, key: str) -> bool:
        cur = self._execute(f"SELECT 1 FROM {table} WHERE id = %s", (key,))
        return cur.fetchone() is not None

    def _one(self, sql: str, params: Params, convert: Callable[[Row], T]) -> T | None:
        row = self._execute(sql, params).fetchone()
        return None if row is None else convert(row)

    def _all(self, sql: str, params: Params, convert: Callable[[Row], T]) -> list[T]:
        return [convert(row) for row in self._execute(sql, params).fetchall()]

    def _keyset(
        self,
        select: str,
        conditions: list[str],
        params: list[Any],
        columns: tuple[str, str],
        page: tuple[str, int | None, str | None, type],
        convert: Callable[[Row], T],
        key_of: Callable[[T], tuple[int, str | int]],
    ) -> Page[T]:
        query = page_query(select, conditions, params, columns, page)
        items = [] if query is None else self._all(*query, convert)
        return keyset_page(items, limit=page[1], scope=page[0], key=key_of)
