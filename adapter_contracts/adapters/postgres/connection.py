"""One autocommit psycopg connection: (re)connecting, statements, and their errors."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg
from psycopg.types.json import set_json_loads

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.bounds import DEFAULT_TIMEOUT
from adapter_contracts.adapters.cursor import keyset_page
from adapter_contracts.adapters.errors import AdapterError, StorageUnavailable, translate_errors
from adapter_contracts.adapters.postgres.bounds import bounded_connect
from adapter_contracts.adapters.postgres.codecs import load_json
from adapter_contracts.adapters.postgres.paging import page_query
from adapter_contracts.adapters.postgres.statements import SET_UTC, exists
from adapter_contracts.adapters.postgres.translation import cannot_connect, is_integrity_violation, translate
from adapter_contracts.adapters.records import Page

T = TypeVar("T")
Row = tuple[Any, ...]
Params = Sequence[Any]

#: A parent to re-check after an integrity error: (field, table, id).
Parent = tuple[str, str, str | None]


def _connect_failure(exc: psycopg.Error) -> AdapterError:
    return cannot_connect(str(exc), lost=isinstance(exc, psycopg.OperationalError))


def _setup_failure(exc: psycopg.Error) -> AdapterError:
    return StorageUnavailable(f"cannot set up the PostgreSQL session: {exc}")


@dataclass(frozen=True, slots=True)
class _Result:
    rows: list[Row]
    rowcount: int

    def fetchone(self) -> Row | None:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[Row]:
        return self.rows


class PostgresConnection(Adapter):
    """The contract over PostgreSQL; ``conninfo`` is a libpq DSN or URL.

    ``timeout`` bounds every wait on the server (connecting, each statement, each lock, a server
    that stops answering): the harness passes ``Endpoint.timeout``.
    """

    def __init__(self, conninfo: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._conninfo = conninfo
        self._timeout = timeout
        self._conn: psycopg.Connection[Row] | None = None
        # One cursor per connection, reused by every statement: a new cursor per statement was
        # about a tenth of a statement's client time (an instance serves one thread at a time).
        # Valid only while it belongs to the current connection (:meth:`_statement_cursor`).
        self._cursor: psycopg.Cursor[Row] | None = None

    # -- connection and error mapping ---------------------------------------

    def _connection(self) -> psycopg.Connection[Row]:
        conn = self._conn
        if conn is not None and not conn.closed and not conn.broken:
            return conn
        if conn is not None:
            conn.close()
            self._conn = None
        with translate_errors(psycopg.Error, _connect_failure):
            conn = bounded_connect(self._conninfo, self._timeout)
        with translate_errors(psycopg.Error, _setup_failure):
            try:
                set_json_loads(load_json, conn)
                conn.execute(SET_UTC)
            except psycopg.Error:
                conn.close()
                raise
        self._conn = conn
        return conn

    def _statement_cursor(self) -> psycopg.Cursor[Row]:
        """The current connection's cursor, made on its first statement (a new connection gets a new one)."""
        conn = self._connection()
        cur = self._cursor
        if cur is None or cur.connection is not conn:
            cur = self._cursor = conn.cursor()
        return cur

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = self._cursor = None

    def _execute(self, sql: str, params: Params = (), parents: Sequence[Parent] = ()) -> _Result:
        cur = self._statement_cursor()
        # What translate_errors does, spelled out: it is on every statement's path.
        try:
            cur.execute(sql, params)
            # Rows are loaded (and can fail to load) on fetch: fetch inside the translation.
            return _Result(cur.fetchall() if cur.description is not None else [], cur.rowcount)
        except psycopg.Error as exc:
            raise self._translate(exc, parents) from None

    def _translated(self, parents: Sequence[Parent] = ()) -> AbstractContextManager[None]:
        """Driver errors raised in the block, translated; an integrity violation re-checks ``parents``."""
        return translate_errors(psycopg.Error, functools.partial(self._translate, parents=parents))

    def _translate(self, exc: psycopg.Error, parents: Sequence[Parent]) -> AdapterError:
        lost = isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)) or (
            self._conn is not None and (self._conn.closed or self._conn.broken)
        )
        integrity = is_integrity_violation(exc.sqlstate)
        return translate(
            exc.sqlstate, exc.diag.constraint_name if integrity else None, str(exc), lost=lost,
            missing_parent=self._missing_parent(parents) if integrity and not lost else None,
        )

    def _missing_parent(self, parents: Sequence[Parent]) -> str | None:
        """The first of ``parents`` (field, table, id) whose row does not exist, in signature order."""
        return next((field for field, table, key in parents if key is not None and not self._exists(table, key)), None)

    def _exists(self, table: str, key: str) -> bool:
        cur = self._execute(exists(table), (key,))
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
