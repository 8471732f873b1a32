"""The MySQL-family adapter (MySQL 8, PlanetScale/Vitess, MariaDB) over PyMySQL.

Every public call is one transaction on one connection: validate first (same
order as :mod:`adapter_contracts.adapters.memory`), then do the work, commit, and roll back on
any error, so an operation that raises writes nothing.  Reads are single
statements in autocommit mode (one round trip each); writes open a
transaction.  Parent checks and cascades are done here with locking reads
instead of relying on foreign keys, which PlanetScale may not allow.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import re
import ssl
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from typing import Any, ClassVar, Protocol, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

import pymysql

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.base import UNSET, Adapter, Unset
from adapter_contracts.adapters.cursor import decode_cursor, encode_cursor, listing_scope
from adapter_contracts.adapters.errors import (
    AdapterError,
    Conflict,
    MissingReference,
    NotFound,
    StorageUnavailable,
    ValidationError,
)
from adapter_contracts.adapters.inputs import new_campaign, new_client, new_client_campaign, new_user, user_changes
from adapter_contracts.adapters.records import (
    BillingEntry,
    BillingTotals,
    Campaign,
    Client,
    ClientCampaign,
    ClientOAuth,
    JSONObject,
    Page,
    UsageInput,
    User,
    UserIntegration,
    UserSetup,
    UserWorkspace,
)
from adapter_contracts.adapters.validation import (
    ValidUsage,
    check_bool,
    check_email,
    check_key,
    check_limit,
    check_payload,
    check_timestamp,
    check_usage,
    check_usage_batch,
    check_window,
    dumps_payload,
    epoch_ms,
    from_epoch_ms,
)

__all__ = ["MySQLAdapter", "exact_collation", "schema_statements"]

T = TypeVar("T")


class Cursor(Protocol):
    """The part of a PyMySQL cursor this adapter uses (PyMySQL ships no type hints)."""

    rowcount: int
    lastrowid: int | None

    def execute(self, query: str, args: Sequence[Any] | None = None) -> int: ...
    def fetchone(self) -> tuple[Any, ...] | None: ...
    def fetchall(self) -> Sequence[tuple[Any, ...]]: ...


#: Client/server codes meaning the connection is gone (server gone away, lost
#: during query, cannot connect, lost during handshake/extended).
_LOST_CONNECTION = frozenset({2003, 2006, 2013, 2055})
#: Server refusals that validation should already have prevented: too long,
#: out of range, bad string, MariaDB json_valid CHECK, MySQL bad JSON, bad datetime.
_INVALID_VALUE = frozenset({1406, 1264, 1366, 4025, 3140, 1292})
_DUPLICATE_KEY = 1062
_NO_PARENT = 1452
#: InnoDB rolled the whole transaction back; running it again is safe.
_DEADLOCK = 1213
_DEADLOCK_RETRIES = 3
#: Rows per multi-row INSERT in record_usage_batch: ~150 KB, far below max_allowed_packet.
_BATCH_CHUNK = 1000

#: Strict so that bad values fail instead of being truncated or zeroed.
SQL_MODE = "STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"
_COLLATION_PLACEHOLDER = "__EXACT__"
#: Binary NO PAD utf8mb4 collations, best first (MySQL 8 / Vitess, then MariaDB).
_EXACT_COLLATIONS = ("utf8mb4_0900_bin", "utf8mb4_nopad_bin")

_KEY_FIELDS = {"PRIMARY": "id", "email": "email"}


def schema_statements(collation: str) -> list[str]:
    """The statements of ``sql/mysql.sql`` with the exact collation filled in."""
    text = resources.files("adapter_contracts.adapters").joinpath("sql/mysql.sql").read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    return [s.strip().replace(_COLLATION_PLACEHOLDER, collation) for s in body.split(";") if s.strip()]


def exact_collation(cur: Cursor) -> str:
    """The server's binary, NO PAD utf8mb4 collation (code-point order, 'a' != 'a ')."""
    marks = ", ".join(["%s"] * len(_EXACT_COLLATIONS))
    cur.execute(f"SELECT COLLATION_NAME FROM information_schema.COLLATIONS WHERE COLLATION_NAME IN ({marks})",
                _EXACT_COLLATIONS)
    found = {row[0] for row in cur.fetchall()}
    for name in _EXACT_COLLATIONS:
        if name in found:
            return name
    raise AdapterError(
        "server has no binary NO PAD utf8mb4 collation (needs MySQL 8 or MariaDB >= 10.2); "
        "exact key comparison cannot be guaranteed"
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _naive(value: datetime) -> datetime:
    """PyMySQL drops tzinfo, so bind the UTC wall clock explicitly."""
    return value.astimezone(UTC).replace(tzinfo=None)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC)


def _opt_aware(value: datetime | None) -> datetime | None:
    return None if value is None else _aware(value)


def _loads(value: str | bytes | None) -> Any:
    return None if value is None else json.loads(value)


def _conflict_field(message: str) -> str:
    # MariaDB says "for key 'email'", MySQL 8 "for key 'users.email'".
    match = re.search(r"for key '([^']*)'", message)
    key = match.group(1).rsplit(".", 1)[-1] if match else "PRIMARY"
    return _KEY_FIELDS.get(key, key)


def _window_sql(column: str, start: datetime | None, end: datetime | None) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if start is not None:
        clauses.append(f"{column} >= %s")
        params.append(_naive(start))
    if end is not None:
        clauses.append(f"{column} < %s")
        params.append(_naive(end))
    return "".join(f" AND {c}" for c in clauses), params


_MS_LAST = epoch_ms(limits.TIME_MAX)
_SEQ_MAX = 2**63 - 1


def _decode_after(after: str | None, scope: str, tail: type) -> tuple[datetime | None, Any] | None:
    """The keyset position of a cursor as bindable values; moment None means past every row.

    Cursors are opaque but forgeable: positions outside what a column can
    hold are clamped so they order like the reference's plain tuples.
    """
    if after is None:
        return None
    ms, last = decode_cursor(after, scope, int, tail)
    assert isinstance(ms, int)
    if ms > _MS_LAST:
        return None, last
    if isinstance(last, str):
        last = _bindable_lower_bound(last)
    elif isinstance(last, int):
        last = max(-1, min(last, _SEQ_MAX))
    return _naive(from_epoch_ms(max(ms, -1))), last


class _AtLeast(str):
    """A key bound compared with >= instead of >."""

    __slots__ = ()


def _bindable_lower_bound(last: str) -> str:
    """``last`` itself, or for a forged key with a lone surrogate (unbindable) an
    :class:`_AtLeast` bound selecting the same ids: stored ids hold no surrogates,
    so ``id > prefix + surrogate + ...`` exactly when ``id >= prefix + U+E000``."""
    for index, char in enumerate(last):
        if "\ud800" <= char <= "\udfff":
            return _AtLeast(last[:index] + "\ue000")
    return last


def _after_sql(column: str, key: tuple[datetime | None, Any]) -> tuple[str, list[Any]]:
    """Rows strictly after the keyset position ``key`` in (column, id) order."""
    moment, last = key
    op = ">=" if isinstance(last, _AtLeast) else ">"
    bound = str(last) if isinstance(last, str) else last
    return f" AND ({column} > %s OR ({column} = %s AND id {op} %s))", [moment, moment, bound]


class MySQLAdapter(Adapter):
    """Storage on one MySQL/MariaDB database through a single PyMySQL connection."""

    unsupported: ClassVar[Mapping[str, type[AdapterError]]] = {}

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
    def from_url(cls, url: str) -> MySQLAdapter:
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
        if code in _LOST_CONNECTION or isinstance(exc, pymysql.err.InterfaceError):
            self._drop_connection()
            return StorageUnavailable(f"MySQL connection lost: {message}")
        if code == _DUPLICATE_KEY:
            return Conflict(_conflict_field(message))
        if code == _NO_PARENT:
            field = "admin_id" if "admin_id" in message else "client_id" if "client_id" in message else "user_id"
            return MissingReference(field)
        if code in _INVALID_VALUE:
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

    # -- lifecycle -----------------------------------------------------------

    def create_schema(self) -> None:
        with self._raw() as cur:
            for statement in schema_statements(exact_collation(cur)):
                cur.execute(statement)

    def expected_schema(self) -> dict[str, Any]:
        # Collations are declared as a class (utf8mb4:binary-nopad), which fits
        # whichever exact collation create_schema picked on this flavour.
        declared: dict[str, Any] = json.loads(
            resources.files("adapter_contracts.adapters").joinpath("sql/mysql.schema.json").read_text(encoding="utf-8"))
        return declared

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

    @staticmethod
    def _keyset_rows(
        cur: Cursor, table: str, columns: str, where: str, params: list[Any], column: str,
        key: tuple[datetime | None, Any] | None, limit: int | None,
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

    @staticmethod
    def _page(
        rows: list[T], limit: int | None, scope: str, key: Callable[[T], tuple[int, str | int]]
    ) -> Page[T]:
        if limit is None or len(rows) <= limit:
            return Page(tuple(rows), None)
        page = rows[:limit]
        return Page(tuple(page), encode_cursor(scope, *key(page[-1])))

    # -- users ---------------------------------------------------------------

    _USER_COLUMNS = "id, email, password_hash, name, created_at"

    @staticmethod
    def _user(row: Sequence[Any]) -> User:
        return User(id=row[0], email=row[1], password_hash=row[2], name=row[3], created_at=_aware(row[4]))

    def create_user(
        self,
        *,
        email: str,
        password_hash: str,
        name: str | None = None,
        id: str | None = None,
        created_at: datetime | None = None,
    ) -> User:
        user = new_user(email=email, password_hash=password_hash, name=name, id=id, created_at=created_at)

        def work(cur: Cursor) -> User:
            # On a row clashing on both keys InnoDB reports PRIMARY first: Conflict("id").
            cur.execute(
                "INSERT INTO users (id, email, password_hash, name, created_at) VALUES (%s, %s, %s, %s, %s)",
                (user.id, user.email, user.password_hash, user.name, _naive(user.created_at)),
            )
            return user

        return self._run(work)

    def get_user(self, user_id: str) -> User | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)

        def work(cur: Cursor) -> User | None:
            cur.execute(f"SELECT {self._USER_COLUMNS} FROM users WHERE id = %s", (user_id,))
            row = cur.fetchone()
            return None if row is None else self._user(row)

        return self._run(work, read_only=True)

    def get_user_by_email(self, email: str) -> User | None:
        email = check_email(email)

        def work(cur: Cursor) -> User | None:
            cur.execute(f"SELECT {self._USER_COLUMNS} FROM users WHERE email = %s", (email,))
            row = cur.fetchone()
            return None if row is None else self._user(row)

        return self._run(work, read_only=True)

    def update_user(
        self,
        user_id: str,
        *,
        email: str | Unset = UNSET,
        password_hash: str | Unset = UNSET,
        name: str | Unset | None = UNSET,
    ) -> User:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        changes = user_changes(email=email, password_hash=password_hash, name=name)

        def work(cur: Cursor) -> User:
            cur.execute(f"SELECT {self._USER_COLUMNS} FROM users WHERE id = %s FOR UPDATE", (user_id,))
            row = cur.fetchone()
            if row is None:
                raise NotFound("user", user_id)
            if changes:
                assignments = ", ".join(f"{column} = %s" for column in changes)
                cur.execute(f"UPDATE users SET {assignments} WHERE id = %s", (*changes.values(), user_id))
            current = self._user(row)
            return User(
                id=current.id,
                email=changes.get("email", current.email),
                password_hash=changes.get("password_hash", current.password_hash),
                name=changes.get("name", current.name),
                created_at=current.created_at,
            )

        return self._run(work)

    def delete_user(self, user_id: str) -> bool:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)

        def work(cur: Cursor) -> bool:
            # The exclusive lock makes concurrent child inserts (which take a
            # shared lock on the user) wait, then see the user gone.
            if not self._exists(cur, "SELECT 1 FROM users WHERE id = %s FOR UPDATE", (user_id,)):
                return False
            for table, column in (
                ("user_setup", "user_id"), ("user_workspace", "user_id"), ("user_integrations", "user_id"),
                ("campaigns", "user_id"), ("admin_clients", "admin_id"),
            ):
                cur.execute(f"DELETE FROM {table} WHERE {column} = %s", (user_id,))
            cur.execute("UPDATE client_billing SET admin_id = NULL WHERE admin_id = %s", (user_id,))
            cur.execute("DELETE FROM users WHERE id = %s", (user_id,))
            return True

        return self._run(work)

    # -- user setup and workspace -------------------------------------------

    def get_user_setup(self, user_id: str) -> UserSetup | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)

        def work(cur: Cursor) -> UserSetup | None:
            cur.execute(
                "SELECT user_id, is_setup_complete, completed_at, setup_data FROM user_setup WHERE user_id = %s",
                (user_id,),
            )
            row = cur.fetchone()
            if row is None:
                return None
            return UserSetup(row[0], bool(row[1]), _opt_aware(row[2]), _loads(row[3]))

        return self._run(work, read_only=True)

    def save_user_setup(
        self,
        user_id: str,
        *,
        is_setup_complete: bool,
        completed_at: datetime | None = None,
        setup_data: JSONObject | None = None,
    ) -> UserSetup:
        setup = UserSetup(
            user_id=check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX),
            is_setup_complete=check_bool(is_setup_complete, field="is_setup_complete"),
            completed_at=None if completed_at is None else check_timestamp(completed_at, field="completed_at"),
            setup_data=None if setup_data is None else check_payload(setup_data, field="setup_data"),
        )
        data = None if setup.setup_data is None else dumps_payload(setup.setup_data)

        def work(cur: Cursor) -> UserSetup:
            self._require_user(cur, setup.user_id)
            # user_setup has no unique key but its primary key, so the upsert
            # cannot fire on another row.
            cur.execute(
                "INSERT INTO user_setup (user_id, is_setup_complete, completed_at, setup_data) "
                "VALUES (%s, %s, %s, %s) ON DUPLICATE KEY UPDATE is_setup_complete = VALUES(is_setup_complete), "
                "completed_at = VALUES(completed_at), setup_data = VALUES(setup_data)",
                (setup.user_id, int(setup.is_setup_complete),
                 None if setup.completed_at is None else _naive(setup.completed_at), data),
            )
            return UserSetup(setup.user_id, setup.is_setup_complete, setup.completed_at, _loads(data))

        return self._run(work)

    def get_user_workspace(self, user_id: str) -> UserWorkspace | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)

        def work(cur: Cursor) -> UserWorkspace | None:
            cur.execute("SELECT user_id, workspace FROM user_workspace WHERE user_id = %s", (user_id,))
            row = cur.fetchone()
            return None if row is None else UserWorkspace(row[0], _loads(row[1]))

        return self._run(work, read_only=True)

    def save_user_workspace(self, user_id: str, workspace: JSONObject) -> UserWorkspace:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        data = dumps_payload(check_payload(workspace, field="workspace"))

        def work(cur: Cursor) -> UserWorkspace:
            self._require_user(cur, user_id)
            cur.execute(
                "INSERT INTO user_workspace (user_id, workspace) VALUES (%s, %s) "
                "ON DUPLICATE KEY UPDATE workspace = VALUES(workspace)",
                (user_id, data),
            )
            return UserWorkspace(user_id, _loads(data))

        return self._run(work)

    # -- user integrations ---------------------------------------------------

    @staticmethod
    def _integration_key(user_id: str, category: str, provider: str) -> tuple[str, str, str]:
        return (
            check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX),
            check_key(category, field="category", max_len=limits.CATEGORY_MAX),
            check_key(provider, field="provider", max_len=limits.PROVIDER_MAX),
        )

    def save_integration(
        self, user_id: str, category: str, provider: str, data: JSONObject
    ) -> UserIntegration:
        key = self._integration_key(user_id, category, provider)
        text = dumps_payload(check_payload(data, field="data"))

        def work(cur: Cursor) -> UserIntegration:
            self._require_user(cur, key[0])
            cur.execute(
                "INSERT INTO user_integrations (user_id, category, provider, data) VALUES (%s, %s, %s, %s) "
                "ON DUPLICATE KEY UPDATE data = VALUES(data)",
                (*key, text),
            )
            return UserIntegration(*key, data=_loads(text))

        return self._run(work)

    def get_integration(self, user_id: str, category: str, provider: str) -> UserIntegration | None:
        key = self._integration_key(user_id, category, provider)

        def work(cur: Cursor) -> UserIntegration | None:
            cur.execute(
                "SELECT data FROM user_integrations WHERE user_id = %s AND category = %s AND provider = %s", key
            )
            row = cur.fetchone()
            return None if row is None else UserIntegration(*key, data=_loads(row[0]))

        return self._run(work, read_only=True)

    def list_integrations(self, user_id: str, *, category: str | None = None) -> list[UserIntegration]:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        if category is not None:
            category = check_key(category, field="category", max_len=limits.CATEGORY_MAX)

        def work(cur: Cursor) -> list[UserIntegration]:
            sql = "SELECT user_id, category, provider, data FROM user_integrations WHERE user_id = %s"
            params: list[Any] = [user_id]
            if category is not None:
                sql += " AND category = %s"
                params.append(category)
            cur.execute(sql + " ORDER BY category, provider", params)
            return [UserIntegration(r[0], r[1], r[2], _loads(r[3])) for r in cur.fetchall()]

        return self._run(work, read_only=True)

    def delete_integration(self, user_id: str, category: str, provider: str) -> bool:
        key = self._integration_key(user_id, category, provider)

        def work(cur: Cursor) -> bool:
            cur.execute("DELETE FROM user_integrations WHERE user_id = %s AND category = %s AND provider = %s", key)
            return bool(cur.rowcount)

        return self._run(work)

    # -- campaigns -----------------------------------------------------------

    _CAMPAIGN_COLUMNS = "id, user_id, created_at, payload"

    @staticmethod
    def _campaign(row: Sequence[Any]) -> Campaign:
        return Campaign(id=row[0], user_id=row[1], created_at=_aware(row[2]), payload=_loads(row[3]))

    def create_campaign(
        self,
        *,
        user_id: str,
        payload: JSONObject,
        id: str | None = None,
        created_at: datetime | None = None,
    ) -> Campaign:
        row = new_campaign(user_id=user_id, payload=payload, id=id, created_at=created_at)
        text = dumps_payload(row.payload)

        def work(cur: Cursor) -> Campaign:
            self._require_user(cur, row.user_id)
            cur.execute(
                "INSERT INTO campaigns (id, user_id, created_at, payload) VALUES (%s, %s, %s, %s)",
                (row.id, row.user_id, _naive(row.created_at), text),
            )
            return Campaign(row.id, row.user_id, row.created_at, _loads(text))

        return self._run(work)

    def get_campaign(self, campaign_id: str) -> Campaign | None:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)

        def work(cur: Cursor) -> Campaign | None:
            cur.execute(f"SELECT {self._CAMPAIGN_COLUMNS} FROM campaigns WHERE id = %s", (campaign_id,))
            found = cur.fetchone()
            return None if found is None else self._campaign(found)

        return self._run(work, read_only=True)

    def update_campaign(self, campaign_id: str, payload: JSONObject) -> Campaign:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        text = dumps_payload(check_payload(payload, field="payload"))

        def work(cur: Cursor) -> Campaign:
            # Affected-rows is 0 for an unchanged payload, so existence is read, not inferred.
            cur.execute("SELECT id, user_id, created_at FROM campaigns WHERE id = %s FOR UPDATE", (campaign_id,))
            found = cur.fetchone()
            if found is None:
                raise NotFound("campaign", campaign_id)
            cur.execute("UPDATE campaigns SET payload = %s WHERE id = %s", (text, campaign_id))
            return Campaign(found[0], found[1], _aware(found[2]), _loads(text))

        return self._run(work)

    def delete_campaign(self, campaign_id: str) -> bool:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)

        def work(cur: Cursor) -> bool:
            cur.execute("DELETE FROM campaigns WHERE id = %s", (campaign_id,))
            return bool(cur.rowcount)

        return self._run(work)

    def list_campaigns(
        self,
        user_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
        after: str | None = None,
    ) -> Page[Campaign]:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        lo, hi = check_window(start, end)
        limit = check_limit(limit)
        scope = listing_scope("campaigns", user_id)
        key = _decode_after(after, scope, str)

        def work(cur: Cursor) -> Page[Campaign]:
            window, params = _window_sql("created_at", lo, hi)
            found = self._keyset_rows(cur, "campaigns", self._CAMPAIGN_COLUMNS, f"user_id = %s{window}",
                                      [user_id, *params], "created_at", key, limit)
            rows = [self._campaign(r) for r in found]
            return self._page(rows, limit, scope, lambda c: (epoch_ms(c.created_at), c.id))

        return self._run(work, read_only=True)

    # -- clients -------------------------------------------------------------

    @staticmethod
    def _client(row: Sequence[Any]) -> Client:
        return Client(id=row[0], created_at=_aware(row[1]), payload=_loads(row[2]))

    def create_client(
        self, *, payload: JSONObject, id: str | None = None, created_at: datetime | None = None
    ) -> Client:
        row = new_client(payload=payload, id=id, created_at=created_at)
        text = dumps_payload(row.payload)

        def work(cur: Cursor) -> Client:
            cur.execute(
                "INSERT INTO clients (id, created_at, payload) VALUES (%s, %s, %s)",
                (row.id, _naive(row.created_at), text),
            )
            return Client(row.id, row.created_at, _loads(text))

        return self._run(work)

    def get_client(self, client_id: str) -> Client | None:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)

        def work(cur: Cursor) -> Client | None:
            cur.execute("SELECT id, created_at, payload FROM clients WHERE id = %s", (client_id,))
            found = cur.fetchone()
            return None if found is None else self._client(found)

        return self._run(work, read_only=True)

    def update_client(self, client_id: str, payload: JSONObject) -> Client:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        text = dumps_payload(check_payload(payload, field="payload"))

        def work(cur: Cursor) -> Client:
            cur.execute("SELECT id, created_at FROM clients WHERE id = %s FOR UPDATE", (client_id,))
            found = cur.fetchone()
            if found is None:
                raise NotFound("client", client_id)
            cur.execute("UPDATE clients SET payload = %s WHERE id = %s", (text, client_id))
            return Client(found[0], _aware(found[1]), _loads(text))

        return self._run(work)

    def delete_client(self, client_id: str) -> bool:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)

        def work(cur: Cursor) -> bool:
            if not self._exists(cur, "SELECT 1 FROM clients WHERE id = %s FOR UPDATE", (client_id,)):
                return False
            for table in ("admin_clients", "client_oauth", "client_campaigns", "client_billing"):
                cur.execute(f"DELETE FROM {table} WHERE client_id = %s", (client_id,))
            cur.execute("DELETE FROM clients WHERE id = %s", (client_id,))
            return True

        return self._run(work)

    def list_clients(self, *, limit: int | None = None, after: str | None = None) -> Page[Client]:
        limit = check_limit(limit)
        key = _decode_after(after, "clients", str)

        def work(cur: Cursor) -> Page[Client]:
            found = self._keyset_rows(cur, "clients", "id, created_at, payload", "TRUE", [], "created_at", key, limit)
            rows = [self._client(r) for r in found]
            return self._page(rows, limit, "clients", lambda c: (epoch_ms(c.created_at), c.id))

        return self._run(work, read_only=True)

    # -- admin links ---------------------------------------------------------

    @staticmethod
    def _link_key(admin_id: str, client_id: str) -> tuple[str, str]:
        return (
            check_key(admin_id, field="admin_id", max_len=limits.USER_ID_MAX),
            check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX),
        )

    def link_admin(self, admin_id: str, client_id: str) -> bool:
        key = self._link_key(admin_id, client_id)

        def work(cur: Cursor) -> bool:
            self._require_user(cur, key[0], "admin_id")
            self._require_client(cur, key[1])
            # A plain INSERT, not INSERT IGNORE: IGNORE would also turn other
            # errors into warnings.  A failed statement leaves the transaction open.
            try:
                cur.execute("INSERT INTO admin_clients (admin_id, client_id) VALUES (%s, %s)", key)
            except pymysql.err.IntegrityError as exc:
                if exc.args and exc.args[0] == _DUPLICATE_KEY:
                    return False
                raise
            return True

        return self._run(work)

    def unlink_admin(self, admin_id: str, client_id: str) -> bool:
        key = self._link_key(admin_id, client_id)

        def work(cur: Cursor) -> bool:
            cur.execute("DELETE FROM admin_clients WHERE admin_id = %s AND client_id = %s", key)
            return bool(cur.rowcount)

        return self._run(work)

    def list_admin_clients(self, admin_id: str) -> list[str]:
        admin_id = check_key(admin_id, field="admin_id", max_len=limits.USER_ID_MAX)

        def work(cur: Cursor) -> list[str]:
            cur.execute("SELECT client_id FROM admin_clients WHERE admin_id = %s ORDER BY client_id", (admin_id,))
            return [r[0] for r in cur.fetchall()]

        return self._run(work, read_only=True)

    def list_client_admins(self, client_id: str) -> list[str]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)

        def work(cur: Cursor) -> list[str]:
            cur.execute("SELECT admin_id FROM admin_clients WHERE client_id = %s ORDER BY admin_id", (client_id,))
            return [r[0] for r in cur.fetchall()]

        return self._run(work, read_only=True)

    # -- client oauth --------------------------------------------------------

    @staticmethod
    def _oauth_key(client_id: str, platform: str) -> tuple[str, str]:
        return (
            check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX),
            check_key(platform, field="platform", max_len=limits.PLATFORM_MAX),
        )

    def save_oauth(self, client_id: str, platform: str, data: JSONObject) -> ClientOAuth:
        key = self._oauth_key(client_id, platform)
        text = dumps_payload(check_payload(data, field="data"))

        def work(cur: Cursor) -> ClientOAuth:
            self._require_client(cur, key[0])
            cur.execute(
                "INSERT INTO client_oauth (client_id, platform, data) VALUES (%s, %s, %s) "
                "ON DUPLICATE KEY UPDATE data = VALUES(data)",
                (*key, text),
            )
            return ClientOAuth(*key, data=_loads(text))

        return self._run(work)

    def get_oauth(self, client_id: str, platform: str) -> ClientOAuth | None:
        key = self._oauth_key(client_id, platform)

        def work(cur: Cursor) -> ClientOAuth | None:
            cur.execute("SELECT data FROM client_oauth WHERE client_id = %s AND platform = %s", key)
            row = cur.fetchone()
            return None if row is None else ClientOAuth(*key, data=_loads(row[0]))

        return self._run(work, read_only=True)

    def list_oauth(self, client_id: str) -> list[ClientOAuth]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)

        def work(cur: Cursor) -> list[ClientOAuth]:
            cur.execute(
                "SELECT client_id, platform, data FROM client_oauth WHERE client_id = %s ORDER BY platform",
                (client_id,),
            )
            return [ClientOAuth(r[0], r[1], _loads(r[2])) for r in cur.fetchall()]

        return self._run(work, read_only=True)

    def delete_oauth(self, client_id: str, platform: str) -> bool:
        key = self._oauth_key(client_id, platform)

        def work(cur: Cursor) -> bool:
            cur.execute("DELETE FROM client_oauth WHERE client_id = %s AND platform = %s", key)
            return bool(cur.rowcount)

        return self._run(work)

    # -- client campaigns ----------------------------------------------------

    def save_client_campaign(self, id: str, *, client_id: str, payload: JSONObject) -> ClientCampaign:
        row = new_client_campaign(id, client_id=client_id, payload=payload)
        text = dumps_payload(row.payload)

        def work(cur: Cursor) -> ClientCampaign:
            self._require_client(cur, row.client_id)
            cur.execute(
                "INSERT INTO client_campaigns (id, client_id, payload) VALUES (%s, %s, %s) "
                "ON DUPLICATE KEY UPDATE client_id = VALUES(client_id), payload = VALUES(payload)",
                (row.id, row.client_id, text),
            )
            return ClientCampaign(row.id, row.client_id, _loads(text))

        return self._run(work)

    def get_client_campaign(self, campaign_id: str) -> ClientCampaign | None:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)

        def work(cur: Cursor) -> ClientCampaign | None:
            cur.execute("SELECT id, client_id, payload FROM client_campaigns WHERE id = %s", (campaign_id,))
            r = cur.fetchone()
            return None if r is None else ClientCampaign(r[0], r[1], _loads(r[2]))

        return self._run(work, read_only=True)

    def list_client_campaigns(self, client_id: str) -> list[ClientCampaign]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)

        def work(cur: Cursor) -> list[ClientCampaign]:
            cur.execute(
                "SELECT id, client_id, payload FROM client_campaigns WHERE client_id = %s ORDER BY id", (client_id,)
            )
            return [ClientCampaign(r[0], r[1], _loads(r[2])) for r in cur.fetchall()]

        return self._run(work, read_only=True)

    def delete_client_campaign(self, campaign_id: str) -> bool:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)

        def work(cur: Cursor) -> bool:
            cur.execute("DELETE FROM client_campaigns WHERE id = %s", (campaign_id,))
            return bool(cur.rowcount)

        return self._run(work)

    # -- billing -------------------------------------------------------------

    _BILLING_COLUMNS = "id, client_id, `timestamp`, tokens_used, cost, admin_id"

    @staticmethod
    def _entry(row: Sequence[Any]) -> BillingEntry:
        return BillingEntry(str(row[0]), row[1], _aware(row[2]), Decimal(row[3]), Decimal(row[4]), row[5])

    def record_usage(
        self,
        client_id: str,
        *,
        timestamp: datetime,
        tokens_used: Decimal | int,
        cost: Decimal | int,
        admin_id: str | None = None,
    ) -> BillingEntry:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        ts, tokens, amount, admin_id = check_usage(timestamp, tokens_used, cost, admin_id)

        def work(cur: Cursor) -> BillingEntry:
            self._require_client(cur, client_id)
            if admin_id is not None:
                self._require_user(cur, admin_id, "admin_id")
            cur.execute(
                "INSERT INTO client_billing (client_id, `timestamp`, tokens_used, cost, admin_id) "
                "VALUES (%s, %s, %s, %s, %s)",
                (client_id, _naive(ts), tokens, amount, admin_id),
            )
            return BillingEntry(str(cur.lastrowid), client_id, ts, tokens, amount, admin_id)

        return self._run(work)

    def record_usage_batch(self, client_id: str, entries: Sequence[UsageInput]) -> list[BillingEntry]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        valid = check_usage_batch(entries)

        def work(cur: Cursor) -> list[BillingEntry]:
            self._require_client(cur, client_id)
            admins = sorted({admin for *_, admin in valid if admin is not None})
            found: set[str] = set()
            for start in range(0, len(admins), _BATCH_CHUNK):
                # One locking read for many admins, as _require_user takes for one.
                part = admins[start:start + _BATCH_CHUNK]
                cur.execute(f"SELECT id FROM users WHERE id IN ({', '.join(['%s'] * len(part))})"
                            " LOCK IN SHARE MODE", part)
                found.update(row[0] for row in cur.fetchall())
            for index, (_, _, _, admin_id) in enumerate(valid):
                if admin_id is not None and admin_id not in found:
                    raise MissingReference(f"entries[{index}].admin_id")
            step = self._autoinc_step(cur)
            if step is not None:
                return self._insert_chunks(cur, client_id, valid, step)
            written = []
            # One INSERT per entry: lastrowid per row is exact, and the
            # sequence order is the AUTO_INCREMENT order whatever the
            # server's auto_increment_increment/lock mode.
            for ts, tokens, amount, admin_id in valid:
                cur.execute(
                    "INSERT INTO client_billing (client_id, `timestamp`, tokens_used, cost, admin_id) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    (client_id, _naive(ts), tokens, amount, admin_id),
                )
                written.append(BillingEntry(str(cur.lastrowid), client_id, ts, tokens, amount, admin_id))
            return written

        return self._run(work)

    def _autoinc_step(self, cur: Cursor) -> int | None:
        """The id step when a multi-row INSERT gets consecutive ids, else None.

        Lock modes 0 and 1 give the rows of one INSERT ... VALUES consecutive
        values (spaced by auto_increment_increment) starting at lastrowid;
        mode 2 (MySQL 8's default) may interleave them with concurrent inserts.
        """
        if not self._step_known:
            try:
                cur.execute("SELECT @@innodb_autoinc_lock_mode, @@auto_increment_increment")
                row = cur.fetchone()
            except pymysql.err.Error:  # a proxy (Vitess) without these variables: stay exact
                row = None
            self._step = int(row[1]) if row is not None and int(row[0]) in (0, 1) else None
            self._step_known = True
        return self._step

    @staticmethod
    def _insert_chunks(cur: Cursor, client_id: str, valid: Sequence[ValidUsage], step: int) -> list[BillingEntry]:
        written: list[BillingEntry] = []
        for start in range(0, len(valid), _BATCH_CHUNK):
            chunk = valid[start:start + _BATCH_CHUNK]
            cur.execute(
                "INSERT INTO client_billing (client_id, `timestamp`, tokens_used, cost, admin_id) VALUES "
                + ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk)),
                [value for ts, tokens, amount, admin in chunk
                 for value in (client_id, _naive(ts), tokens, amount, admin)],
            )
            first = cur.lastrowid  # the first row's id for a multi-row INSERT
            assert isinstance(first, int)
            written += [BillingEntry(str(first + k * step), client_id, ts, tokens, amount, admin)
                        for k, (ts, tokens, amount, admin) in enumerate(chunk)]
        return written

    def list_usage(
        self,
        client_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
        after: str | None = None,
    ) -> Page[BillingEntry]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        lo, hi = check_window(start, end)
        limit = check_limit(limit)
        scope = listing_scope("billing", client_id)
        key = _decode_after(after, scope, int)

        def work(cur: Cursor) -> Page[BillingEntry]:
            window, params = _window_sql("`timestamp`", lo, hi)
            found = self._keyset_rows(cur, "client_billing", self._BILLING_COLUMNS, f"client_id = %s{window}",
                                      [client_id, *params], "`timestamp`", key, limit)
            rows = [self._entry(r) for r in found]
            return self._page(rows, limit, scope, lambda e: (epoch_ms(e.timestamp), int(e.id)))

        return self._run(work, read_only=True)

    def usage_totals(
        self, client_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> BillingTotals:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        lo, hi = check_window(start, end)

        def work(cur: Cursor) -> BillingTotals:
            window, params = _window_sql("`timestamp`", lo, hi)
            cur.execute(
                f"SELECT COUNT(*), SUM(tokens_used), SUM(cost) FROM client_billing WHERE client_id = %s{window}",
                [client_id, *params],
            )
            count, tokens, cost = cur.fetchone() or (0, None, None)
            if not count:
                return BillingTotals(0, Decimal(0), Decimal(0))
            return BillingTotals(int(count), Decimal(tokens), Decimal(cost))

        return self._run(work, read_only=True)
