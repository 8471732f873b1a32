"""One PyMySQL connection: parameters, (re)connecting, transactions, and their errors.

Every driver call runs inside ``translate_errors`` with the engine's
``translate`` (translation.py): statements through :class:`Cursor`, connecting,
beginning and committing here.  Entity methods never see a PyMySQL exception.
"""

from __future__ import annotations

import contextlib
import ipaddress
import math
import ssl
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Self, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

import pymysql

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.bounds import DEFAULT_TIMEOUT, GRACE
from adapter_contracts.adapters.errors import AdapterError, MissingReference, StorageUnavailable, translate_errors
from adapter_contracts.adapters.mysql.paging import KeysetPosition, in_keyset_order, page_query
from adapter_contracts.adapters.mysql.statements import SET_READ_COMMITTED, SET_SESSION, SHARE_CLIENT, SHARE_USER
from adapter_contracts.adapters.mysql.translation import Deadlock, cannot_connect, error_code, error_message, translate

T = TypeVar("T")
Row = tuple[Any, ...]

#: Runs of a transaction InnoDB chose as a deadlock victim, after the first.
_DEADLOCK_RETRIES = 3


def timeouts(timeout: float) -> dict[str, float]:
    """PyMySQL's bounds for ``timeout``: the TCP connect, then every read (the handshake's too) and write, a
    little past the server's own lock wait bound so that a healthy server's timeout is still its error."""
    return {"connect_timeout": timeout, "read_timeout": timeout + GRACE, "write_timeout": timeout + GRACE}


def url_arguments(url: str, schemes: tuple[str, ...]) -> dict[str, Any]:
    """A ``mysql://`` URL's parts as the adapters' keyword arguments (the sync and the async adapter read it
    alike); ``ValueError`` for another scheme or a URL without a database."""
    parts = urlsplit(url)
    if parts.scheme not in schemes:
        raise ValueError(f"not a mysql:// URL (scheme {parts.scheme!r})")
    database = unquote(parts.path.lstrip("/"))
    if not database:
        raise ValueError("the mysql:// URL names no database")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    tls_raw = query.get("tls")
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 3306,
        "user": unquote(parts.username or "root"),
        "password": unquote(parts.password or ""),
        "database": database,
        "unix_socket": query.get("unix_socket"),
        "tls": None if tls_raw is None else tls_raw.lower() in ("1", "true", "yes", "required"),
    }


#: Strict so that bad values fail instead of being truncated or zeroed.
SQL_MODE = "STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Cursor:
    """A PyMySQL cursor whose calls raise the contract's errors, never PyMySQL's."""

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

    def execute(self, query: str, args: Sequence[Any] | None = None) -> int:
        with translate_errors(pymysql.err.Error, self._translate):
            return int(self._cursor.execute(query, args))

    def fetchone(self) -> Row | None:
        with translate_errors(pymysql.err.Error, self._translate):
            row: Row | None = self._cursor.fetchone()
            return row

    def fetchall(self) -> Sequence[Row]:
        with translate_errors(pymysql.err.Error, self._translate):
            rows: Sequence[Row] = self._cursor.fetchall()
            return rows


class MySQLConnection(Adapter):
    """Storage on one MySQL/MariaDB database through a single PyMySQL connection."""

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
        """``tls=None`` means off on loopback or a socket, verified TLS otherwise.

        ``timeout`` bounds every wait on the server: connecting, the handshake and each read
        (``read_timeout``: PyMySQL's ``connect_timeout`` covers the TCP connect only), each write,
        and each lock wait (``innodb_lock_wait_timeout``); the harness passes ``Endpoint.timeout``.
        """
        self._params: dict[str, Any] = dict(
            host=host, port=port, user=user, password=password, database=database,
            unix_socket=unix_socket, charset="utf8mb4", autocommit=True, **timeouts(timeout),
        )
        self._lock_wait = max(1, math.ceil(timeout))
        use_tls = tls if tls is not None else not (unix_socket or _is_loopback(host))
        if use_tls:
            self._params["ssl"] = ssl.create_default_context()
        else:
            self._params["ssl_disabled"] = True
        self._conn: Any = None
        self._closed = False
        #: _autoinc_step's answer, asked once per instance.
        self._step: int | None = None
        self._step_known = False

    @classmethod
    def from_url(cls, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> Self:
        """``mysql://user:pass@host:port/db`` (optional ``?unix_socket=...&tls=true|false``)."""
        return cls(**url_arguments(url, ("mysql", "mariadb", "mysql+pymysql")), timeout=timeout)

    # -- connection and transactions ----------------------------------------

    def _connection(self) -> Any:
        if self._closed:
            raise StorageUnavailable("adapter is closed")
        if self._conn is None:
            with translate_errors(pymysql.err.Error, cannot_connect):
                conn = pymysql.connect(**self._params)
                with conn.cursor() as cur:
                    cur.execute(SET_SESSION, (SQL_MODE, self._lock_wait))
                    # REPEATABLE READ would keep showing a stale snapshot of
                    # other instances' commits; @@transaction_isolation is not
                    # portable (MariaDB 10.11 lacks it), this statement is.
                    cur.execute(SET_READ_COMMITTED)
            self._conn = conn
        return self._conn

    def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # already broken; closing is best effort
                conn.close()

    def _translate(self, exc: pymysql.err.Error) -> AdapterError:
        error = translate(error_code(exc), error_message(exc), interface=isinstance(exc, pymysql.err.InterfaceError))
        if isinstance(error, StorageUnavailable):
            self._drop_connection()  # replaced on the next call
        return error

    def _rollback(self, conn: Any) -> None:
        try:
            conn.rollback()
        except Exception:  # noqa: BLE001 - a broken connection is replaced on the next call
            self._drop_connection()

    @contextlib.contextmanager
    def _cursor(self, *, begin: bool, commit: bool) -> Iterator[Cursor]:
        """A cursor for one operation, rolled back when it raises.

        The connection is in autocommit mode, so a read that is one statement
        (every read here) is its own transaction at one round trip; a write
        opens an explicit one (``begin``) and commits it.  Without autocommit a
        read would also need a COMMIT (two round trips), or would leave the
        session idle in a transaction that holds metadata locks until the next
        call.  DDL commits implicitly; it is committed (``commit``) without a
        ``begin``.
        """
        conn = self._connection()
        try:
            with translate_errors(pymysql.err.Error, self._translate):
                if begin:
                    conn.begin()
                with conn.cursor() as cursor:
                    yield Cursor(cursor, self._translate)
                if commit:
                    conn.commit()
        except AdapterError:
            self._rollback(conn)
            raise
        except BaseException:
            # Interrupted mid-protocol: the connection state is unknown.
            self._drop_connection()
            raise

    def _transaction(self, work: Callable[[Cursor], T], *, single: bool = False) -> T:
        """Run ``work`` in one transaction, and again (up to 3 times) if InnoDB makes it a deadlock victim.

        A function, not a ``with`` block, because a deadlock victim is rolled back
        whole and only running its statements again can complete it.  ``single``: ``work``
        runs one statement, which autocommit makes its own transaction (InnoDB applies a
        statement whole or not at all): one round trip instead of BEGIN, it, COMMIT.
        """
        for attempt in range(_DEADLOCK_RETRIES + 1):
            try:
                with self._cursor(begin=not single, commit=not single) as cur:
                    return work(cur)
            except Deadlock:
                if attempt == _DEADLOCK_RETRIES:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of one read statement (autocommit: its own transaction)."""
        with self._cursor(begin=False, commit=False) as cur:
            cur.execute(sql, params)
            return cur.fetchone()

    def _all(self, sql: str, params: Sequence[Any] = ()) -> Sequence[Row]:
        """The rows of one read statement (autocommit: its own transaction)."""
        with self._cursor(begin=False, commit=False) as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    def _keyset(
        self, table: str, columns: str, where: str, params: list[Any], column: str,
        start: KeysetPosition | None, limit: int | None,
    ) -> Sequence[Row]:
        """The rows of one keyset page (paging.page_query), in (column, id) order, one past ``limit``."""
        query = page_query(table, columns, where, params, column, start, limit)
        return [] if query is None else in_keyset_order(self._all(*query), columns, column)

    def close(self) -> None:
        self._drop_connection()
        self._closed = True

    # -- helpers -------------------------------------------------------------

    @staticmethod
    def _exists(cur: Cursor, sql: str, params: Sequence[Any]) -> bool:
        cur.execute(sql, params)
        return cur.fetchone() is not None

    @classmethod
    def _require_user(cls, cur: Cursor, user_id: str, field: str = "user_id") -> None:
        # A shared lock: a concurrent delete_user waits for us, or we see its commit.
        if not cls._exists(cur, SHARE_USER, (user_id,)):
            raise MissingReference(field)

    @classmethod
    def _require_client(cls, cur: Cursor, client_id: str, field: str = "client_id") -> None:
        if not cls._exists(cur, SHARE_CLIENT, (client_id,)):
            raise MissingReference(field)
