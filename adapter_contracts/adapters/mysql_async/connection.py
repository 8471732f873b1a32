"""One aiomysql connection per instance: parameters, (re)connecting, transactions, their errors, cancellation.

aiomysql is PyMySQL's protocol under asyncio: it raises PyMySQL's own error
classes and decodes rows with PyMySQL's converters, so the sync adapter's
translation (by error code), codecs, statements and paging serve unchanged.

Tasks sharing an instance take turns on its connection (``_lock``), one whole
operation (one transaction) at a time.  A task cancelled while it holds the
connection (``asyncio.timeout`` is a cancellation) closes the connection's
socket at once: the server rolls back the open transaction, so a cascade is
all or nothing, and the next operation connects anew.  The server may still be
running the statement it had received (an autocommitted one commits): before
its next operation, or ``close()``, the instance ends that connection's thread
(``KILL CONNECTION``, allowed on one's own) and waits until it is gone, within
the instance's bound, so that no write of a cancelled operation lands after it
(as the asyncpg adapter reaps its backends).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, Self, TypeVar

import aiomysql
import pymysql

from adapter_contracts.adapters.async_base import AsyncAdapter
from adapter_contracts.adapters.bounds import DEFAULT_TIMEOUT, GRACE, bounded
from adapter_contracts.adapters.errors import AdapterError, MissingReference, StorageUnavailable
from adapter_contracts.adapters.mysql.connection import SQL_MODE, _is_loopback, url_arguments
from adapter_contracts.adapters.mysql.paging import KeysetPosition, in_keyset_order, page_query
from adapter_contracts.adapters.mysql.statements import SET_READ_COMMITTED, SET_SESSION, SHARE_CLIENT, SHARE_USER
from adapter_contracts.adapters.mysql.translation import Deadlock, cannot_connect, error_code, error_message, translate

T = TypeVar("T")
Row = tuple[Any, ...]

#: Runs of a transaction InnoDB chose as a deadlock victim, after the first (as the sync adapter).
_DEADLOCK_RETRIES = 3
#: Seconds a clean close may take before the socket is dropped instead.
CLOSE_TIMEOUT = 10

#: ER_NO_SUCH_THREAD, MySQL's and MariaDB's answer to KILL of a thread that has ended.
_UNKNOWN_THREAD = 1094
#: What a failed connection attempt raises besides PyMySQL's errors.
_SOCKET_ERRORS = (OSError, TimeoutError)


class _QuietCursor(aiomysql.Cursor):  # type: ignore[misc]
    """aiomysql's cursor without its SHOW WARNINGS round trip after every statement with a warning or note.

    aiomysql turns each into ``warnings.warn`` (PyMySQL stopped doing so in 1.0), which reaches the
    caller as a raw ``pymysql.err.Warning`` where warnings are errors ("Table 'users' already exists"
    from an idempotent create_schema).  Strict mode already makes every data warning an error.
    """

    async def _show_warnings(self, conn: Any) -> None:
        return None


class AsyncCursor:
    """An aiomysql cursor whose calls raise the contract's errors, never PyMySQL's."""

    __slots__ = ("_cursor", "_translate")

    def __init__(self, cursor: Any, translate: Callable[[pymysql.err.Error], AdapterError]) -> None:
        self._cursor = cursor
        self._translate = translate

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    @property
    def lastrowid(self) -> int | None:
        lastrowid: int | None = self._cursor.lastrowid
        return lastrowid

    async def execute(self, query: str, args: Sequence[Any] | None = None) -> int:
        try:
            return int(await self._cursor.execute(query, args))
        except pymysql.err.Error as exc:
            raise self._translate(exc) from None

    async def fetchone(self) -> Row | None:
        try:
            row: Row | None = await self._cursor.fetchone()
        except pymysql.err.Error as exc:
            raise self._translate(exc) from None
        return row

    async def fetchall(self) -> Sequence[Row]:
        try:
            rows: Sequence[Row] = await self._cursor.fetchall()
        except pymysql.err.Error as exc:
            raise self._translate(exc) from None
        return rows


class AsyncMySQLConnection(AsyncAdapter):
    """Storage on one MySQL/MariaDB database through one aiomysql connection."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        user: str,
        password: str,
        database: str,
        unix_socket: str | None = None,
        tls: bool | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        """``tls=None`` means off on loopback or a socket, verified TLS otherwise (as the sync adapter).

        ``timeout`` bounds every wait on the server (the harness passes ``Endpoint.timeout``): connecting,
        each lock wait (``innodb_lock_wait_timeout``) and each operation's round trips (aiomysql has no read
        timeout: ``asyncio.timeout``, a little later, so that a healthy server's lock timeout is its error).
        """
        self._timeout = timeout
        self._lock_wait = max(1, math.ceil(timeout))
        self._params: dict[str, Any] = dict(
            host=host, port=port, user=user, password=password, db=database,
            unix_socket=unix_socket, charset="utf8mb4", autocommit=True, connect_timeout=timeout,
            cursorclass=_QuietCursor,
        )
        use_tls = tls if tls is not None else not (unix_socket or _is_loopback(host))
        if use_tls:
            self._params["ssl"] = ssl.create_default_context()
        self._conn: Any = None
        self._closed = False
        self._lock = asyncio.Lock()
        #: Server thread ids of connections dropped mid-operation, not yet known to be gone.
        self._orphans: list[int] = []
        self._step: int | None = None
        self._step_known = False

    @classmethod
    def from_url(cls, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> Self:
        """``mysql://user:pass@host:port/db`` (optional ``?unix_socket=...&tls=true|false``), as the sync adapter."""
        return cls(**url_arguments(url, ("mysql", "mariadb", "mysql+aiomysql", "mysql+pymysql")), timeout=timeout)

    # -- connection and transactions ----------------------------------------

    async def _connection(self) -> Any:
        if self._closed:
            raise StorageUnavailable("adapter is closed")
        if self._conn is None:
            try:
                conn = await aiomysql.connect(**self._params)
            except (pymysql.err.Error, *_SOCKET_ERRORS) as exc:
                raise cannot_connect(exc) from None
            try:
                async with conn.cursor() as cur:
                    await cur.execute(SET_SESSION, (SQL_MODE, self._lock_wait))
                    await cur.execute(SET_READ_COMMITTED)
                await self._reap(conn)
            except BaseException as exc:
                conn.close()
                if isinstance(exc, (pymysql.err.Error, *_SOCKET_ERRORS)):
                    raise cannot_connect(exc) from None
                raise
            self._conn = conn
        return self._conn

    async def _reap(self, conn: Any) -> None:
        """End the server threads of connections this instance dropped mid-operation, and wait until they are
        gone, so that no statement they had received runs after this point (bounded by the instance's timeout)."""
        if not self._orphans:
            return
        threads = list(self._orphans)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        async with conn.cursor() as cur:
            # KILL again until the server says the thread is unknown (1094): a killed thread stays in the
            # server's thread list until it has ended (a rollback, say), and KILL finds it there.  Unlike
            # information_schema.processlist, deprecated since MySQL 8.0.22, it needs no version switch.
            left = [thread for thread in threads if await self._kill(cur, thread)]
            while left:
                if loop.time() > deadline:
                    raise StorageUnavailable(f"a connection dropped mid-operation (server thread {left}) did not "
                                             f"end within {self._timeout:g} s")
                await asyncio.sleep(0.01)
                left = [thread for thread in left if await self._kill(cur, thread)]
        del self._orphans[:len(threads)]

    @staticmethod
    async def _kill(cur: Any, thread: int) -> bool:
        """KILL the server thread ``thread``; whether the server still had it (1094: it has ended)."""
        try:
            await cur.execute("KILL CONNECTION %s", (thread,))
        except pymysql.err.Error as exc:
            if error_code(exc) != _UNKNOWN_THREAD:
                raise
            return False
        return True

    def _drop_connection(self, *, orphan: bool = False) -> None:
        """Close the socket at once (no await): the server rolls back whatever transaction was open.  ``orphan``:
        dropped mid-operation, so its server thread is reaped before the next operation (:meth:`_reap`)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            if orphan:
                with contextlib.suppress(Exception):  # no thread id (never connected): nothing to reap
                    self._orphans.append(int(conn.thread_id()))
            with contextlib.suppress(Exception):  # already broken; closing is best effort
                conn.close()

    def _translate(self, exc: pymysql.err.Error) -> AdapterError:
        error = translate(error_code(exc), error_message(exc), interface=isinstance(exc, pymysql.err.InterfaceError))
        if isinstance(error, StorageUnavailable):
            self._drop_connection()
        return error

    @contextlib.asynccontextmanager
    async def _cursor(self, *, begin: bool, commit: bool) -> AsyncIterator[AsyncCursor]:
        """A cursor for one operation, to this task alone, rolled back when it raises (see the sync adapter)."""
        async with self._lock, bounded(self._timeout + GRACE):
            conn = await self._connection()
            try:
                try:
                    if begin:
                        await conn.begin()
                    async with conn.cursor() as cursor:
                        yield AsyncCursor(cursor, self._translate)
                    if commit:
                        await conn.commit()
                except pymysql.err.Error as exc:
                    raise self._translate(exc) from None
            except AdapterError:
                await self._rollback(conn)
                raise
            except BaseException:
                # Cancelled or interrupted mid-protocol: the connection's state is unknown, and the server may
                # still run what it received.
                self._drop_connection(orphan=True)
                raise

    async def _rollback(self, conn: Any) -> None:
        if self._conn is not conn:
            return  # dropped already
        try:
            await conn.rollback()
        except BaseException as exc:
            self._drop_connection()  # the server rolls back when the socket closes
            if not isinstance(exc, Exception):
                raise

    async def _transaction(self, work: Callable[[AsyncCursor], Awaitable[T]], *, single: bool = False) -> T:
        """Run ``work`` in one transaction, again (up to 3 times) if InnoDB makes it a deadlock victim;
        ``single``: one statement, its own transaction in autocommit (the synchronous twin says why)."""
        for attempt in range(_DEADLOCK_RETRIES + 1):
            try:
                async with self._cursor(begin=not single, commit=not single) as cur:
                    return await work(cur)
            except Deadlock:
                if attempt == _DEADLOCK_RETRIES:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        async with self._cursor(begin=False, commit=False) as cur:
            await cur.execute(sql, params)
            return await cur.fetchone()

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> Sequence[Row]:
        async with self._cursor(begin=False, commit=False) as cur:
            await cur.execute(sql, params)
            return await cur.fetchall()

    async def _keyset(
        self, table: str, columns: str, where: str, params: list[Any], column: str,
        start: KeysetPosition | None, limit: int | None,
    ) -> Sequence[Row]:
        query = page_query(table, columns, where, params, column, start, limit)
        return [] if query is None else in_keyset_order(await self._all(*query), columns, column)

    async def close(self) -> None:
        async with self._lock:
            if self._orphans and not self._closed:
                with contextlib.suppress(AdapterError):
                    async with bounded(self._timeout + GRACE):
                        await self._connection()  # reaps what a cancelled operation left running
            conn, self._conn = self._conn, None
            self._closed = True
            if conn is not None:
                try:
                    await asyncio.wait_for(conn.ensure_closed(), CLOSE_TIMEOUT)
                except Exception:  # noqa: BLE001 - closing is best effort: the socket goes either way
                    conn.close()

    # -- helpers -------------------------------------------------------------

    @staticmethod
    async def _exists(cur: AsyncCursor, sql: str, params: Sequence[Any]) -> bool:
        await cur.execute(sql, params)
        return await cur.fetchone() is not None

    @classmethod
    async def _require_user(cls, cur: AsyncCursor, user_id: str, field: str = "user_id") -> None:
        if not await cls._exists(cur, SHARE_USER, (user_id,)):
            raise MissingReference(field)

    @classmethod
    async def _require_client(cls, cur: AsyncCursor, client_id: str, field: str = "client_id") -> None:
        if not await cls._exists(cur, SHARE_CLIENT, (client_id,)):
            raise MissingReference(field)

