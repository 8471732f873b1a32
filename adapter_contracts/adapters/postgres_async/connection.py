"""One autocommit asyncpg connection per instance: (re)connecting, statements, their errors, cancellation.

The statements are the sync adapter's (``postgres/statements.py``) with psycopg's
``%s`` numbered as asyncpg's ``$n``; errors are translated by the same function
(``postgres/translation.py``, by SQLSTATE and constraint name).

Tasks sharing an instance take turns on its connection (``_lock``): asyncpg
refuses two operations at once on one connection, and a turn is one statement
or one whole transaction.  A task cancelled while it holds the connection (an
``asyncio.timeout`` is a cancellation) terminates the connection: whatever the
server was doing is rolled back or already committed as one statement, no
transaction stays open, and the next operation connects anew.

Closing the socket does not stop a statement the server has already received:
its backend may run it later (it reads the query before it notices the client
is gone; under load, seconds later), and a cancelled write would then land
after the caller was told it was cancelled, in the middle of later operations
(seen in the cancellation contract: a cancelled ``delete_user`` removed a user
created afterwards).  So the terminated backend is reaped: the next operation,
or ``close()``, first ends it (``pg_terminate_backend``, allowed on one's own
role's backends) and waits until it is gone, within the instance's bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
from psycopg.conninfo import conninfo_to_dict

from adapter_contracts.adapters.async_base import AsyncAdapter
from adapter_contracts.adapters.bounds import DEFAULT_TIMEOUT, GRACE, bounded
from adapter_contracts.adapters.cursor import keyset_page
from adapter_contracts.adapters.errors import AdapterError, StorageUnavailable
from adapter_contracts.adapters.postgres.codecs import load_json
from adapter_contracts.adapters.postgres.paging import page_query
from adapter_contracts.adapters.postgres.statements import exists
from adapter_contracts.adapters.postgres.translation import cannot_connect, is_integrity_violation, translate
from adapter_contracts.adapters.records import Page

T = TypeVar("T")
Row = tuple[Any, ...]
Params = Sequence[Any]
Parent = tuple[str, str, str | None]

#: Seconds a connection attempt may take.
#: Seconds a clean close may take before the connection is dropped instead.
CLOSE_TIMEOUT = 10.0

#: What asyncpg raises: server errors (with a SQLSTATE), client-side errors, and the socket's.
DRIVER_ERRORS: tuple[type[BaseException], ...] = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError,
                                                  TimeoutError)

_PLACEHOLDER = re.compile(r"%s")


@functools.lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """psycopg's ``%s`` placeholders as asyncpg's ``$1, $2, ...`` (no statement holds a literal ``%``)."""
    counter = iter(range(1, sql.count("%s") + 1))
    return _PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql)


def _returns_rows(sql: str) -> bool:
    return sql.lstrip().upper().startswith("SELECT") or " RETURNING " in sql


def connect_arguments(conninfo: str) -> dict[str, Any]:
    """A libpq DSN or URL as asyncpg.connect's keyword arguments (asyncpg reads URLs only)."""
    params = conninfo_to_dict(conninfo)
    arguments: dict[str, Any] = {}
    host = params.get("hostaddr") or params.get("host")
    if host:
        arguments["host"] = str(host)
    if params.get("port"):
        arguments["port"] = int(str(params["port"]))
    for key, name in (("user", "user"), ("password", "password"), ("dbname", "database")):
        if params.get(key):
            arguments[name] = str(params[key])
    if params.get("sslmode"):
        arguments["ssl"] = str(params["sslmode"])
    return arguments


def _is_lost(exc: BaseException) -> bool:
    if isinstance(exc, asyncpg.PostgresError):
        return isinstance(exc, asyncpg.PostgresConnectionError) or (exc.sqlstate or "").startswith(("08", "57P"))
    if isinstance(exc, asyncpg.InterfaceError):
        # A DataError is a value asyncpg cannot encode: the operation's, not the connection's.
        return not isinstance(exc, asyncpg.DataError)
    return True  # OSError, TimeoutError


@dataclass(frozen=True, slots=True)
class _Result:
    rows: list[Row]
    rowcount: int

    def fetchone(self) -> Row | None:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[Row]:
        return self.rows


class AsyncPostgresConnection(AsyncAdapter):
    """The contract over PostgreSQL through asyncpg; ``conninfo`` is a libpq DSN or URL."""

    def __init__(self, conninfo: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        """``timeout`` bounds every wait on the server (the harness passes ``Endpoint.timeout``): connecting,
        each statement and lock wait (server side), and each operation's round trips (client side, a little
        later, so that a healthy server's timeout is still its error)."""
        self._arguments = connect_arguments(conninfo)
        self._timeout = timeout
        self._conn: asyncpg.Connection[Any] | None = None
        self._lock = asyncio.Lock()
        #: Server process ids of connections terminated mid-operation, not yet known to be gone.
        self._orphans: list[int] = []

    # -- connection and error mapping ---------------------------------------

    async def _connection(self) -> asyncpg.Connection[Any]:
        conn = self._conn
        if conn is not None and not conn.is_closed():
            return conn
        self._conn = None
        try:
            millis = str(max(1, int(self._timeout * 1000)))
            conn = await asyncpg.connect(**self._arguments, timeout=self._timeout, server_settings={
                "TimeZone": "UTC", "statement_timeout": millis, "lock_timeout": millis})
        except DRIVER_ERRORS as exc:
            raise cannot_connect(str(exc), lost=_is_lost(exc)) from None
        try:
            # jsonb arrives as text: parsed exactly as the sync adapter parses it; sent as the text we dumped.
            await conn.set_type_codec("jsonb", encoder=str, decoder=load_json, schema="pg_catalog")
            await self._reap(conn)
        except BaseException as exc:
            conn.terminate()
            if isinstance(exc, DRIVER_ERRORS):
                raise StorageUnavailable(f"cannot set up the PostgreSQL session: {exc}") from None
            raise
        self._conn = conn
        return conn

    async def _reap(self, conn: asyncpg.Connection[Any]) -> None:
        """End the backends of connections this instance terminated, and wait until they are gone, so that
        no statement they had received runs after this point (bounded by the instance's timeout)."""
        if not self._orphans:
            return
        pids = list(self._orphans)
        with contextlib.suppress(asyncpg.InsufficientPrivilegeError):  # then only wait: it ends once it reads EOF
            await conn.fetch("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY($1::int[])",
                             pids)
        deadline = asyncio.get_running_loop().time() + self._timeout
        while await conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1::int[])", pids):
            if asyncio.get_running_loop().time() > deadline:
                raise StorageUnavailable(
                    f"a connection terminated mid-operation (server process {pids}) did not end within "
                    f"{self._timeout:g} s")
            await asyncio.sleep(0.01)
        del self._orphans[:len(pids)]

    def _discard(self) -> None:
        """Drop the connection at once (no await): the server rolls back whatever it had open; its backend is
        reaped before the next operation (:meth:`_reap`)."""
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            self._orphans.append(conn.get_server_pid())
            conn.terminate()

    async def close(self) -> None:
        async with self._lock:
            if self._orphans:
                with contextlib.suppress(AdapterError):
                    await self._connection()  # reaps what a cancelled operation left running
            conn, self._conn = self._conn, None
            if conn is not None and not conn.is_closed():
                try:
                    await asyncio.wait_for(conn.close(), CLOSE_TIMEOUT)
                except DRIVER_ERRORS:
                    conn.terminate()  # closing is best effort: the server drops what it had open
                except asyncio.CancelledError:
                    conn.terminate()
                    raise

    @asynccontextmanager
    async def _turn(self) -> AsyncIterator[asyncpg.Connection[Any]]:
        """The connection, to this task alone; cancelled while holding it, the connection is dropped."""
        async with self._lock, bounded(self._timeout + GRACE):
            conn = await self._connection()
            try:
                yield conn
            except BaseException as exc:
                if not isinstance(exc, Exception) or (isinstance(exc, DRIVER_ERRORS) and _is_lost(exc)):
                    self._discard()
                raise

    async def _run(self, conn: asyncpg.Connection[Any], sql: str, params: Params) -> _Result:
        query = numbered(sql)
        if _returns_rows(sql):
            rows = await conn.fetch(query, *params)
            # Records as tuples: the sync adapter's codecs read rows by index.
            return _Result([tuple(row) for row in rows], len(rows))
        status = await conn.execute(query, *params)
        count = status.rsplit(" ", 1)[-1]
        return _Result([], int(count) if count.isdigit() else 0)

    async def _execute(self, sql: str, params: Params = (), parents: Sequence[Parent] = ()) -> _Result:
        async with self._turn() as conn:
            try:
                return await self._run(conn, sql, params)
            except DRIVER_ERRORS as exc:
                raise await self._translate(conn, exc, parents) from None

    @asynccontextmanager
    async def _transaction(self, parents: Sequence[Parent] = ()) -> AsyncIterator[asyncpg.Connection[Any]]:
        """The connection inside one transaction, to this task alone; driver errors translated."""
        async with self._turn() as conn:
            try:
                async with conn.transaction():
                    yield conn
            except DRIVER_ERRORS as exc:
                raise await self._translate(conn, exc, parents) from None

    async def _translate(self, conn: asyncpg.Connection[Any], exc: BaseException,
                         parents: Sequence[Parent]) -> AdapterError:
        lost = _is_lost(exc) or conn.is_closed()
        sqlstate = getattr(exc, "sqlstate", None) if isinstance(exc, asyncpg.PostgresError) else None
        integrity = is_integrity_violation(sqlstate)
        constraint = getattr(exc, "constraint_name", None) if integrity else None
        missing = await self._missing_parent(conn, parents) if integrity and not lost else None
        if lost:
            self._discard()
        return translate(sqlstate, constraint, str(exc), lost=lost, missing_parent=missing)

    async def _missing_parent(self, conn: asyncpg.Connection[Any], parents: Sequence[Parent]) -> str | None:
        """The first of ``parents`` (field, table, id) whose row does not exist, in signature order."""
        for field, table, key in parents:
            if key is None:
                continue
            try:
                found = await conn.fetchrow(numbered(exists(table)), key)
            except DRIVER_ERRORS:
                return None
            if found is None:
                return field
        return None

    async def _one(self, sql: str, params: Params, convert: Callable[[Row], T]) -> T | None:
        row = (await self._execute(sql, params)).fetchone()
        return None if row is None else convert(row)

    async def _all(self, sql: str, params: Params, convert: Callable[[Row], T]) -> list[T]:
        return [convert(row) for row in (await self._execute(sql, params)).fetchall()]

    async def _keyset(
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
        items = [] if query is None else await self._all(*query, convert)
        return keyset_page(items, limit=page[1], scope=page[0], key=key_of)
