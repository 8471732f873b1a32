"""One sqlite3 connection: opening it, one write transaction per operation, reads, parent checks."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from adapter_contracts import Adapter, MissingReference, Page, keyset_page, translate_errors

from .paging import page_query
from .translation import translate

BUSY_TIMEOUT_MS = 5000

Row = tuple[Any, ...]
T = TypeVar("T")


class SQLiteConnection(Adapter):
    """The ten entities in one SQLite database file (or ``":memory:"`` for one instance)."""

    def __init__(self, path: str) -> None:
        self.path = path
        with translate_errors(sqlite3.Error, translate):
            # isolation_level=None: the module issues no implicit BEGIN; each
            # operation opens and ends its own transaction.  check_same_thread
            # is off because the contract allows handing an instance to another
            # thread as long as one thread uses it at a time.
            self._conn = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
            )
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("PRAGMA journal_mode = WAL")

    # -- plumbing ------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed on success, rolled back on any exception."""
        conn = self._conn
        with translate_errors(sqlite3.Error, translate):
            # IMMEDIATE takes the write lock now (waiting up to busy_timeout), so
            # the existence checks that follow cannot be raced by another writer.
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        try:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the original error is the one worth reporting

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with translate_errors(sqlite3.Error, translate):
            return self._conn.execute(sql, params).fetchall()

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = self._all(sql, params)
        return rows[0] if rows else None

    @staticmethod
    def _exists(conn: sqlite3.Connection, table: str, column: str, value: str) -> bool:
        return conn.execute(f"SELECT 1 FROM {table} WHERE {column} = ?", (value,)).fetchone() is not None

    def _require(self, conn: sqlite3.Connection, table: str, value: str, field: str) -> None:
        if not self._exists(conn, table, "id", value):
            raise MissingReference(field)

    def close(self) -> None:
        with translate_errors(sqlite3.Error, translate):
            self._conn.close()

    def _keyset_page(
        self,
        sql: str,
        params: list[Any],
        order: tuple[str, str],
        scope: str,
        types: tuple[type, type],
        limit: int | None,
        after: str | None,
        convert: Callable[[Row], T],
        key: Callable[[T], tuple[int, str | int]],
    ) -> Page[T]:
        """One page of the rows ``sql`` selects (with a WHERE clause), in ``order``."""
        query, values = page_query(sql, params, order, scope, types, limit, after)
        items = [convert(r) for r in self._all(query, values)]
        return keyset_page(items, limit=limit, scope=scope, key=key)
