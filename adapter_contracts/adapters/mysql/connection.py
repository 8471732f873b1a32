"""One PyMySQL connection: parameters, (re)connecting, transactions, and their errors."""

from __future__ import annotations

import contextlib
import ipaddress
import re
import ssl
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, Self, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

import pymysql

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import (
    AdapterError,
    Conflict,
    MissingReference,
    StorageUnavailable,
    ValidationError,
)
from adapter_contracts.adapters.mysql.translation import (
    DUPLICATE_KEY,
    INVALID_VALUE,
    LOST_CONNECTION,
    NO_PARENT,
    conflict_field,
)

T = TypeVar("T")


class Cursor(Protocol):
    """The part of a PyMySQL cursor this adapter uses (PyMySQL ships no type hints)."""

    rowcount: int
    lastrowid: int | None

    def execute(self, query: str, args: Sequence[Any] | None = None) -> int: ...
    def fetchone(self) -> tuple[Any, ...] | None: ...
    def fetchall(self) -> Sequence[tuple[Any, ...]]: ...


#: InnoDB rolled the whole transaction back; running it again is safe.
_DEADLOCK = 1213
_DEADLOCK_RETRIES = 3

#: Strict so that bad values fail instead of being truncated or zeroed.
SQL_MODE = "STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    ) -> None:
        """``tls=None`` means off on loopback or a socket, verified TLS otherwise."""
        self._params: dict[str, Any] = dict(
            host=host, port=port, user=user, password=password, database=database,
            unix_socket=unix_socket, charset="utf8mb4", autocommit=True, connect_timeout=10,
        )
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
    def from_url(cls, url: str) -> Self:
        """``mysql://user:pass@host:port/db`` (optional ``?unix_socket=...&tls=true|false``)."""
        parts = urlsplit(url)
        if parts.scheme not in ("mysql", "mariadb", "mysql+pymysql"):
            raise ValueError(f"not a mysql:// URL (scheme {parts.scheme!r})")
        database = unquote(parts.path.lstrip("/"))
        if not database:
            raise ValueError("the mysql:// URL names no database")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        tls_raw = query.get("tls")
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 3306,
            user=unquote(parts.username or "root"),
            password=unquote(parts.password or ""),
            database=database,
            unix_socket=query.get("unix_socket"),
            tls=None if tls_raw is None else tls_raw.lower() in ("1", "true", "yes", "required"),
        )

    # -- connection and transactions ----------------------------------------

    def _connection(self) -> Any:
        if self._closed:
            raise StorageUnavailable("adapter is closed")
        if self._conn is None:
            try:
                conn = pymysql.connect(**self._params)
                with conn.cursor() as cur:
                    cur.execute("SET SESSION time_zone = '+00:00', SESSION sql_mode = %s", (SQL_MODE,))
                    # REPEATABLE READ would keep showing a stale snapshot of
                    # other instances' commits; @@transaction_isolation is not
                    # portable (MariaDB 10.11 lacks it), this statement is.
                    cur.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
            except pymysql.err.Error as exc:
                raise StorageUnavailable(f"cannot connect to MySQL: {exc}") from None
            self._conn = conn
        return self._conn

    def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):  # already broken; closing is best effort
                conn.close()

    def _run(self, work: Callable[[Cursor], T], *, read_only: bool = False) -> T:
        """Run ``work`` in one transaction; commit, or roll back and translate the error.

        The connection is in autocommit mode, so a read that is one statement
        (every read here) is its own transaction at one round trip; a write
        opens an explicit one.  Without autocommit a read would also need a
        COMMIT (two round trips), or would leave the session idle in a
        transaction that holds metadata locks until the next call.
        """
        for attempt in range(_DEADLOCK_RETRIES + 1):
            conn = self._connection()
            try:
                if read_only:
                    with conn.cursor() as cur:
                        return work(cur)
                conn.begin()
                with conn.cursor() as cur:
                    result = work(cur)
                conn.commit()
                return result
            except AdapterError:
                self._rollback(conn)
                raise
            except pymysql.err.Error as exc:
                self._rollback(conn)
                code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else None
                if code == _DEADLOCK and attempt < _DEADLOCK_RETRIES:
                    continue
                raise self._translate(exc, code) from None
            except BaseException:
                # Interrupted mid-protocol: the connection state is unknown.
                self._drop_connection()
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _rollback(self, conn: Any) -> None:
        try:
            conn.rollback()
        except Exception:  # noqa: BLE001 - a broken connection is replaced on the next call
            self._drop_connection()

    def _translate(self, exc: pymysql.err.Error, code: int | None) -> AdapterError:
        message = str(exc.args[1]) if len(exc.args) > 1 else str(exc)
        if code in LOST_CONNECTION or isinstance(exc, pymysql.err.InterfaceError):
            self._drop_connection()
            return StorageUnavailable(f"MySQL connection lost: {message}")
        if code == DUPLICATE_KEY:
            return Conflict(conflict_field(message))
        if code == NO_PARENT:
            field = "admin_id" if "admin_id" in message else "client_id" if "client_id" in message else "user_id"
            return MissingReference(field)
        if code in INVALID_VALUE:
            column = re.search(r"column [`']?(\w+)", message)
            return ValidationError(column.group(1) if column else "value", message)
        return AdapterError(f"MySQL error {code}: {message}")

    @contextlib.contextmanager
    def _raw(self) -> Iterator[Cursor]:
        """A cursor outside :meth:`_run`, for DDL (which commits implicitly anyway)."""
        conn = self._connection()
        try:
            with conn.cursor() as cur:
                yield cur
            conn.commit()
        except pymysql.err.Error as exc:
            self._rollback(conn)
            raise self._translate(exc, exc.args[0] if exc.args and isinstance(exc.args[0], int) else None) from None

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
        if not cls._exists(cur, "SELECT 1 FROM users WHERE id = %s LOCK IN SHARE MODE", (user_id,)):
            raise MissingReference(field)

    @classmethod
    def _require_client(cls, cur: Cursor, client_id: str, field: str = "client_id") -> None:
        if not cls._exists(cur, "SELECT 1 FROM clients WHERE id = %s LOCK IN SHARE MODE", (client_id,)):
            raise MissingReference(field)
