"""An example third-party adapter: SQLite through the standard library, no server.

It lives outside ``adapters/`` and imports only what an outside team would, from
the public interface :mod:`adapter_contracts`: the ``Adapter`` interface, the
records, the errors, the shared validation, cursors and limits.  Certify it with::

    python -m pytest -n 2 --pyargs adapter_contracts.contracts \
        --adapter adapter_contracts.examples.sqlite_adapter:make_adapter

Storage choices (the schema file explains each): timestamps are integer epoch
milliseconds, amounts integer counts of 0.0001, payloads JSON text.  Every
write runs in its own ``BEGIN IMMEDIATE`` transaction, so an operation that
raises writes nothing, parents are checked under the write lock (the reported
field is exact and no other connection can race the check), and a second
connection sees the commit at once.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

# The public interface, from its one documented place (docs/adapter-authors-guide.md).
from adapter_contracts import (
    UNSET,
    Adapter,
    AdapterError,
    BillingEntry,
    BillingTotals,
    Campaign,
    Client,
    ClientCampaign,
    ClientOAuth,
    Conflict,
    JSONObject,
    MissingReference,
    NotFound,
    Page,
    StorageUnavailable,
    Unset,
    UsageInput,
    User,
    UserIntegration,
    UserSetup,
    UserWorkspace,
    adapter_factory,
    check_bool,
    check_email,
    check_key,
    check_limit,
    check_payload,
    check_timestamp,
    check_usage,
    check_usage_batch,
    check_window,
    decode_cursor,
    dumps_payload,
    encode_cursor,
    epoch_ms,
    from_epoch_ms,
    limits,
    listing_scope,
    new_campaign,
    new_client,
    new_client_campaign,
    new_user,
    user_changes,
)

if TYPE_CHECKING:
    from adapter_contracts import Endpoint

__all__ = ["SCHEMA_PATH", "SQLiteAdapter", "make_adapter"]

SCHEMA_PATH = Path(__file__).with_name("sqlite_schema.sql")
#: The same schema in the harness's canonical form, for the drift check.
DECLARED_SCHEMA_PATH = Path(__file__).with_name("sqlite.schema.json")
BUSY_TIMEOUT_MS = 5000

Row = tuple[Any, ...]
T = TypeVar("T")

# Amounts are stored as integer counts of 0.0001.  A SUM over many rows near
# 10^18 would overflow SQLite's 64-bit integers ("integer overflow"), so totals
# add the high and low halves separately: each half of one row is below 10^9,
# so their sums stay exact for billions of rows.
_SPLIT = 10**9

# Messages of OperationalError that mean "storage not reachable right now, retry".
_UNAVAILABLE = (
    "database is locked",
    "database table is locked",
    "disk i/o error",
    "unable to open database",
    "database or disk is full",
    "readonly database",
)


def _to_units(amount: Decimal) -> int:
    return int(amount.scaleb(limits.AMOUNT_PLACES))


def _from_units(units: int) -> Decimal:
    # The coefficient keeps 4 places, exactly like the reference's quantized Decimals.
    return Decimal(units).scaleb(-limits.AMOUNT_PLACES)


def _loads(text: str) -> JSONObject:
    value: JSONObject = json.loads(text)
    return value


def _map_error(exc: sqlite3.Error) -> AdapterError:
    """Translate a driver error; the caller chains it."""
    message = str(exc)
    lowered = message.lower()
    if isinstance(exc, sqlite3.IntegrityError):
        if "unique constraint failed: users.email" in lowered:
            return Conflict("email")
        if "unique constraint failed" in lowered:
            return Conflict("id")
        if "foreign key constraint failed" in lowered:
            # Parents are checked explicitly under the write lock first, so this
            # only fires on a schema the adapter did not create.
            return MissingReference("reference", message)
        return AdapterError(f"integrity error: {message}")
    if isinstance(exc, sqlite3.OperationalError) and any(m in lowered for m in _UNAVAILABLE):
        return StorageUnavailable(f"sqlite: {message}")
    if isinstance(exc, sqlite3.ProgrammingError) and "closed" in lowered:
        return AdapterError("the adapter was closed")
    return AdapterError(f"sqlite: {type(exc).__name__}: {message}")


def _in_window(column: str, lo: datetime | None, hi: datetime | None) -> tuple[str, list[Any]]:
    sql, params = "", []
    if lo is not None:
        sql += f" AND {column} >= ?"
        params.append(epoch_ms(lo))
    if hi is not None:
        sql += f" AND {column} < ?"
        params.append(epoch_ms(hi))
    return sql, params


class SQLiteAdapter(Adapter):
    """The ten entities in one SQLite database file (or ``":memory:"`` for one instance)."""

    #: Implements every optional capability, including ``usage_batch``.
    unsupported: ClassVar[Mapping[str, type[AdapterError]]] = {}

    def __init__(self, path: str) -> None:
        self.path = path
        try:
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
        except sqlite3.Error as exc:
            raise _map_error(exc) from exc

    # -- plumbing ------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed on success, rolled back on any exception."""
        conn = self._conn
        try:
            # IMMEDIATE takes the write lock now (waiting up to busy_timeout), so
            # the existence checks that follow cannot be raced by another writer.
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _map_error(exc) from exc
        try:
            yield conn
            conn.execute("COMMIT")
        except BaseException as exc:
            self._rollback()
            if isinstance(exc, sqlite3.Error):
                raise _map_error(exc) from exc
            raise

    def _rollback(self) -> None:
        try:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # the original error is the one worth reporting

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise _map_error(exc) from exc

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = self._all(sql, params)
        return rows[0] if rows else None

    @staticmethod
    def _exists(conn: sqlite3.Connection, table: str, column: str, value: str) -> bool:
        return conn.execute(f"SELECT 1 FROM {table} WHERE {column} = ?", (value,)).fetchone() is not None

    def _require(self, conn: sqlite3.Connection, table: str, value: str, field: str) -> None:
        if not self._exists(conn, table, "id", value):
            raise MissingReference(field)

    # -- lifecycle -----------------------------------------------------------

    def create_schema(self) -> None:
        try:
            self._conn.executescript(SCHEMA_PATH.read_text(encoding="utf-8"))
        except sqlite3.Error as exc:
            self._rollback()
            raise _map_error(exc) from exc
        except OSError as exc:
            raise AdapterError(f"cannot read {SCHEMA_PATH.name}: {exc}") from exc

    def expected_schema(self) -> dict[str, Any]:
        declared: dict[str, Any] = json.loads(DECLARED_SCHEMA_PATH.read_text(encoding="utf-8"))
        return declared

    def close(self) -> None:
        try:
            self._conn.close()
        except sqlite3.Error as exc:
            raise _map_error(exc) from exc

    # -- users ---------------------------------------------------------------

    _USER = "SELECT id, email, password_hash, name, created_at FROM users"

    @staticmethod
    def _user(row: Row) -> User:
        return User(id=row[0], email=row[1], password_hash=row[2], name=row[3], created_at=from_epoch_ms(row[4]))

    def create_user(
        self,
        *,
        email: str,
        password_hash: str,
        name: str | None = None,
        id: str | None = None,
        created_at: datetime | None = None,
    ) -> User:
        # Keyword order is validation order: signature order, as in the reference.
        user = new_user(email=email, password_hash=password_hash, name=name, id=id, created_at=created_at)
        with self._write() as conn:
            if self._exists(conn, "users", "id", user.id):
                raise Conflict("id")
            if self._exists(conn, "users", "email", user.email):
                raise Conflict("email")
            conn.execute(
                "INSERT INTO users (id, email, password_hash, name, created_at) VALUES (?, ?, ?, ?, ?)",
                (user.id, user.email, user.password_hash, user.name, epoch_ms(user.created_at)),
            )
        return user

    def get_user(self, user_id: str) -> User | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        row = self._one(self._USER + " WHERE id = ?", (user_id,))
        return None if row is None else self._user(row)

    def get_user_by_email(self, email: str) -> User | None:
        email = check_email(email)
        row = self._one(self._USER + " WHERE email = ?", (email,))
        return None if row is None else self._user(row)

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
        with self._write() as conn:
            if not self._exists(conn, "users", "id", user_id):
                raise NotFound("user", user_id)
            if "email" in changes:
                owner = conn.execute("SELECT id FROM users WHERE email = ?", (changes["email"],)).fetchone()
                if owner is not None and owner[0] != user_id:
                    raise Conflict("email")
            if changes:
                # Column names come from the fixed keys above, never from input.
                assignments = ", ".join(f"{column} = ?" for column in changes)
                conn.execute(f"UPDATE users SET {assignments} WHERE id = ?", (*changes.values(), user_id))
            row = conn.execute(self._USER + " WHERE id = ?", (user_id,)).fetchone()
        return self._user(row)

    def delete_user(self, user_id: str) -> bool:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        # ON DELETE CASCADE removes setup, workspace, integrations, campaigns and
        # admin links; ON DELETE SET NULL keeps billing entries without an admin.
        with self._write() as conn:
            return conn.execute("DELETE FROM users WHERE id = ?", (user_id,)).rowcount > 0

    # -- user setup and workspace -------------------------------------------

    def get_user_setup(self, user_id: str) -> UserSetup | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        row = self._one(
            "SELECT user_id, is_setup_complete, completed_at, setup_data FROM user_setup WHERE user_id = ?",
            (user_id,),
        )
        if row is None:
            return None
        return UserSetup(
            user_id=row[0],
            is_setup_complete=bool(row[1]),
            completed_at=None if row[2] is None else from_epoch_ms(row[2]),
            setup_data=None if row[3] is None else _loads(row[3]),
        )

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
        with self._write() as conn:
            self._require(conn, "users", setup.user_id, "user_id")
            conn.execute(
                "INSERT INTO user_setup (user_id, is_setup_complete, completed_at, setup_data) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET is_setup_complete = excluded.is_setup_complete,"
                " completed_at = excluded.completed_at, setup_data = excluded.setup_data",
                (
                    setup.user_id,
                    int(setup.is_setup_complete),
                    None if setup.completed_at is None else epoch_ms(setup.completed_at),
                    None if setup.setup_data is None else dumps_payload(setup.setup_data),
                ),
            )
        return setup

    def get_user_workspace(self, user_id: str) -> UserWorkspace | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        row = self._one("SELECT user_id, workspace FROM user_workspace WHERE user_id = ?", (user_id,))
        return None if row is None else UserWorkspace(user_id=row[0], workspace=_loads(row[1]))

    def save_user_workspace(self, user_id: str, workspace: JSONObject) -> UserWorkspace:
        row = UserWorkspace(
            user_id=check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX),
            workspace=check_payload(workspace, field="workspace"),
        )
        with self._write() as conn:
            self._require(conn, "users", row.user_id, "user_id")
            conn.execute(
                "INSERT INTO user_workspace (user_id, workspace) VALUES (?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET workspace = excluded.workspace",
                (row.user_id, dumps_payload(row.workspace)),
            )
        return row

    # -- user integrations ---------------------------------------------------

    @staticmethod
    def _integration_key(user_id: str, category: str, provider: str) -> tuple[str, str, str]:
        return (
            check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX),
            check_key(category, field="category", max_len=limits.CATEGORY_MAX),
            check_key(provider, field="provider", max_len=limits.PROVIDER_MAX),
        )

    _INTEGRATION = "SELECT user_id, category, provider, data FROM user_integrations"

    @staticmethod
    def _integration(row: Row) -> UserIntegration:
        return UserIntegration(user_id=row[0], category=row[1], provider=row[2], data=_loads(row[3]))

    def save_integration(
        self, user_id: str, category: str, provider: str, data: JSONObject
    ) -> UserIntegration:
        key = self._integration_key(user_id, category, provider)
        row = UserIntegration(*key, data=check_payload(data, field="data"))
        with self._write() as conn:
            self._require(conn, "users", row.user_id, "user_id")
            conn.execute(
                "INSERT INTO user_integrations (user_id, category, provider, data) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (user_id, category, provider) DO UPDATE SET data = excluded.data",
                (*key, dumps_payload(row.data)),
            )
        return row

    def get_integration(self, user_id: str, category: str, provider: str) -> UserIntegration | None:
        key = self._integration_key(user_id, category, provider)
        row = self._one(self._INTEGRATION + " WHERE user_id = ? AND category = ? AND provider = ?", key)
        return None if row is None else self._integration(row)

    def list_integrations(self, user_id: str, *, category: str | None = None) -> list[UserIntegration]:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        if category is None:
            rows = self._all(self._INTEGRATION + " WHERE user_id = ? ORDER BY category, provider", (user_id,))
        else:
            category = check_key(category, field="category", max_len=limits.CATEGORY_MAX)
            rows = self._all(
                self._INTEGRATION + " WHERE user_id = ? AND category = ? ORDER BY provider", (user_id, category)
            )
        return [self._integration(r) for r in rows]

    def delete_integration(self, user_id: str, category: str, provider: str) -> bool:
        key = self._integration_key(user_id, category, provider)
        with self._write() as conn:
            cursor = conn.execute(
                "DELETE FROM user_integrations WHERE user_id = ? AND category = ? AND provider = ?", key
            )
            return cursor.rowcount > 0

    # -- campaigns -----------------------------------------------------------

    _CAMPAIGN = "SELECT id, user_id, created_at, payload FROM campaigns"

    @staticmethod
    def _campaign(row: Row) -> Campaign:
        return Campaign(id=row[0], user_id=row[1], created_at=from_epoch_ms(row[2]), payload=_loads(row[3]))

    def create_campaign(
        self,
        *,
        user_id: str,
        payload: JSONObject,
        id: str | None = None,
        created_at: datetime | None = None,
    ) -> Campaign:
        row = new_campaign(user_id=user_id, payload=payload, id=id, created_at=created_at)
        with self._write() as conn:
            self._require(conn, "users", row.user_id, "user_id")
            if self._exists(conn, "campaigns", "id", row.id):
                raise Conflict("id")
            conn.execute(
                "INSERT INTO campaigns (id, user_id, created_at, payload) VALUES (?, ?, ?, ?)",
                (row.id, row.user_id, epoch_ms(row.created_at), dumps_payload(row.payload)),
            )
        return row

    def get_campaign(self, campaign_id: str) -> Campaign | None:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        row = self._one(self._CAMPAIGN + " WHERE id = ?", (campaign_id,))
        return None if row is None else self._campaign(row)

    def update_campaign(self, campaign_id: str, payload: JSONObject) -> Campaign:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        payload = check_payload(payload, field="payload")
        with self._write() as conn:
            if conn.execute(
                "UPDATE campaigns SET payload = ? WHERE id = ?", (dumps_payload(payload), campaign_id)
            ).rowcount == 0:
                raise NotFound("campaign", campaign_id)
            row = conn.execute(self._CAMPAIGN + " WHERE id = ?", (campaign_id,)).fetchone()
        return self._campaign(row)

    def delete_campaign(self, campaign_id: str) -> bool:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        with self._write() as conn:
            return conn.execute("DELETE FROM campaigns WHERE id = ?", (campaign_id,)).rowcount > 0

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
        """``sql`` selects rows with a WHERE clause; this adds the cursor, order and limit."""
        if after is not None:
            last = decode_cursor(after, scope, *types)
            sql += f" AND ({order[0]}, {order[1]}) > (?, ?)"
            params = [*params, *last]
        sql += f" ORDER BY {order[0]}, {order[1]}"
        if limit is not None:
            # One extra row tells whether a next page exists.
            sql += " LIMIT ?"
            params = [*params, limit + 1]
        items = [convert(r) for r in self._all(sql, params)]
        if limit is None or len(items) <= limit:
            return Page(tuple(items), None)
        page = items[:limit]
        return Page(tuple(page), encode_cursor(scope, *key(page[-1])))

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
        window, params = _in_window("created_at", lo, hi)
        return self._keyset_page(
            self._CAMPAIGN + " WHERE user_id = ?" + window, [user_id, *params], ("created_at", "id"),
            listing_scope("campaigns", user_id), (int, str), limit, after, self._campaign,
            lambda c: (epoch_ms(c.created_at), c.id),
        )

    # -- clients -------------------------------------------------------------

    _CLIENT = "SELECT id, created_at, payload FROM clients"

    @staticmethod
    def _client(row: Row) -> Client:
        return Client(id=row[0], created_at=from_epoch_ms(row[1]), payload=_loads(row[2]))

    def create_client(
        self, *, payload: JSONObject, id: str | None = None, created_at: datetime | None = None
    ) -> Client:
        row = new_client(payload=payload, id=id, created_at=created_at)
        with self._write() as conn:
            if self._exists(conn, "clients", "id", row.id):
                raise Conflict("id")
            conn.execute(
                "INSERT INTO clients (id, created_at, payload) VALUES (?, ?, ?)",
                (row.id, epoch_ms(row.created_at), dumps_payload(row.payload)),
            )
        return row

    def get_client(self, client_id: str) -> Client | None:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        row = self._one(self._CLIENT + " WHERE id = ?", (client_id,))
        return None if row is None else self._client(row)

    def update_client(self, client_id: str, payload: JSONObject) -> Client:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        payload = check_payload(payload, field="payload")
        with self._write() as conn:
            if conn.execute(
                "UPDATE clients SET payload = ? WHERE id = ?", (dumps_payload(payload), client_id)
            ).rowcount == 0:
                raise NotFound("client", client_id)
            row = conn.execute(self._CLIENT + " WHERE id = ?", (client_id,)).fetchone()
        return self._client(row)

    def delete_client(self, client_id: str) -> bool:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        # ON DELETE CASCADE removes admin links, oauth rows, client campaigns and billing.
        with self._write() as conn:
            return conn.execute("DELETE FROM clients WHERE id = ?", (client_id,)).rowcount > 0

    def list_clients(self, *, limit: int | None = None, after: str | None = None) -> Page[Client]:
        limit = check_limit(limit)
        return self._keyset_page(
            self._CLIENT + " WHERE 1", [], ("created_at", "id"), "clients", (int, str), limit, after,
            self._client, lambda c: (epoch_ms(c.created_at), c.id),
        )

    # -- admin links ---------------------------------------------------------

    @staticmethod
    def _link_key(admin_id: str, client_id: str) -> tuple[str, str]:
        return (
            check_key(admin_id, field="admin_id", max_len=limits.USER_ID_MAX),
            check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX),
        )

    def link_admin(self, admin_id: str, client_id: str) -> bool:
        key = self._link_key(admin_id, client_id)
        with self._write() as conn:
            self._require(conn, "users", key[0], "admin_id")
            self._require(conn, "clients", key[1], "client_id")
            cursor = conn.execute(
                "INSERT INTO admin_clients (admin_id, client_id) VALUES (?, ?) ON CONFLICT DO NOTHING", key
            )
            return cursor.rowcount > 0

    def unlink_admin(self, admin_id: str, client_id: str) -> bool:
        key = self._link_key(admin_id, client_id)
        with self._write() as conn:
            return conn.execute("DELETE FROM admin_clients WHERE admin_id = ? AND client_id = ?", key).rowcount > 0

    def list_admin_clients(self, admin_id: str) -> list[str]:
        admin_id = check_key(admin_id, field="admin_id", max_len=limits.USER_ID_MAX)
        rows = self._all("SELECT client_id FROM admin_clients WHERE admin_id = ? ORDER BY client_id", (admin_id,))
        return [r[0] for r in rows]

    def list_client_admins(self, client_id: str) -> list[str]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        rows = self._all("SELECT admin_id FROM admin_clients WHERE client_id = ? ORDER BY admin_id", (client_id,))
        return [r[0] for r in rows]

    # -- client oauth --------------------------------------------------------

    @staticmethod
    def _oauth_key(client_id: str, platform: str) -> tuple[str, str]:
        return (
            check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX),
            check_key(platform, field="platform", max_len=limits.PLATFORM_MAX),
        )

    _OAUTH = "SELECT client_id, platform, data FROM client_oauth"

    @staticmethod
    def _oauth(row: Row) -> ClientOAuth:
        return ClientOAuth(client_id=row[0], platform=row[1], data=_loads(row[2]))

    def save_oauth(self, client_id: str, platform: str, data: JSONObject) -> ClientOAuth:
        key = self._oauth_key(client_id, platform)
        row = ClientOAuth(*key, data=check_payload(data, field="data"))
        with self._write() as conn:
            self._require(conn, "clients", row.client_id, "client_id")
            conn.execute(
                "INSERT INTO client_oauth (client_id, platform, data) VALUES (?, ?, ?)"
                " ON CONFLICT (client_id, platform) DO UPDATE SET data = excluded.data",
                (*key, dumps_payload(row.data)),
            )
        return row

    def get_oauth(self, client_id: str, platform: str) -> ClientOAuth | None:
        key = self._oauth_key(client_id, platform)
        row = self._one(self._OAUTH + " WHERE client_id = ? AND platform = ?", key)
        return None if row is None else self._oauth(row)

    def list_oauth(self, client_id: str) -> list[ClientOAuth]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        rows = self._all(self._OAUTH + " WHERE client_id = ? ORDER BY platform", (client_id,))
        return [self._oauth(r) for r in rows]

    def delete_oauth(self, client_id: str, platform: str) -> bool:
        key = self._oauth_key(client_id, platform)
        with self._write() as conn:
            return conn.execute("DELETE FROM client_oauth WHERE client_id = ? AND platform = ?", key).rowcount > 0

    # -- client campaigns ----------------------------------------------------

    _CLIENT_CAMPAIGN = "SELECT id, client_id, payload FROM client_campaigns"

    @staticmethod
    def _client_campaign(row: Row) -> ClientCampaign:
        return ClientCampaign(id=row[0], client_id=row[1], payload=_loads(row[2]))

    def save_client_campaign(self, id: str, *, client_id: str, payload: JSONObject) -> ClientCampaign:
        row = new_client_campaign(id, client_id=client_id, payload=payload)
        with self._write() as conn:
            self._require(conn, "clients", row.client_id, "client_id")
            conn.execute(
                "INSERT INTO client_campaigns (id, client_id, payload) VALUES (?, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET client_id = excluded.client_id, payload = excluded.payload",
                (row.id, row.client_id, dumps_payload(row.payload)),
            )
        return row

    def get_client_campaign(self, campaign_id: str) -> ClientCampaign | None:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        row = self._one(self._CLIENT_CAMPAIGN + " WHERE id = ?", (campaign_id,))
        return None if row is None else self._client_campaign(row)

    def list_client_campaigns(self, client_id: str) -> list[ClientCampaign]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        rows = self._all(self._CLIENT_CAMPAIGN + " WHERE client_id = ? ORDER BY id", (client_id,))
        return [self._client_campaign(r) for r in rows]

    def delete_client_campaign(self, campaign_id: str) -> bool:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        with self._write() as conn:
            return conn.execute("DELETE FROM client_campaigns WHERE id = ?", (campaign_id,)).rowcount > 0

    # -- billing -------------------------------------------------------------

    _BILLING = "SELECT id, client_id, timestamp, tokens_used_units, cost_units, admin_id FROM client_billing"

    @staticmethod
    def _entry(row: Row) -> BillingEntry:
        return BillingEntry(
            id=str(row[0]),
            client_id=row[1],
            timestamp=from_epoch_ms(row[2]),
            tokens_used=_from_units(row[3]),
            cost=_from_units(row[4]),
            admin_id=row[5],
        )

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
        with self._write() as conn:
            self._require(conn, "clients", client_id, "client_id")
            if admin_id is not None:
                self._require(conn, "users", admin_id, "admin_id")
            cursor = conn.execute(
                "INSERT INTO client_billing (client_id, timestamp, tokens_used_units, cost_units, admin_id)"
                " VALUES (?, ?, ?, ?, ?)",
                (client_id, epoch_ms(ts), _to_units(tokens), _to_units(amount), admin_id),
            )
            seq = cursor.lastrowid
        return BillingEntry(str(seq), client_id, ts, tokens, amount, admin_id)

    def record_usage_batch(self, client_id: str, entries: Sequence[UsageInput]) -> list[BillingEntry]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        valid = check_usage_batch(entries)
        written: list[BillingEntry] = []
        # One transaction: every reference is checked before the first insert,
        # and a failure part-way rolls back the entries already inserted.
        with self._write() as conn:
            self._require(conn, "clients", client_id, "client_id")
            for index, (_, _, _, admin_id) in enumerate(valid):
                if admin_id is not None:
                    self._require(conn, "users", admin_id, f"entries[{index}].admin_id")
            for ts, tokens, amount, admin_id in valid:
                cursor = conn.execute(
                    "INSERT INTO client_billing (client_id, timestamp, tokens_used_units, cost_units, admin_id)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (client_id, epoch_ms(ts), _to_units(tokens), _to_units(amount), admin_id),
                )
                written.append(BillingEntry(str(cursor.lastrowid), client_id, ts, tokens, amount, admin_id))
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
        window, params = _in_window("timestamp", lo, hi)
        return self._keyset_page(
            self._BILLING + " WHERE client_id = ?" + window, [client_id, *params], ("timestamp", "id"),
            listing_scope("billing", client_id), (int, int), limit, after, self._entry,
            lambda e: (epoch_ms(e.timestamp), int(e.id)),
        )

    def usage_totals(
        self, client_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> BillingTotals:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        lo, hi = check_window(start, end)
        window, params = _in_window("timestamp", lo, hi)
        row = self._one(
            "SELECT count(*),"
            f" sum(tokens_used_units / {_SPLIT}), sum(tokens_used_units % {_SPLIT}),"
            f" sum(cost_units / {_SPLIT}), sum(cost_units % {_SPLIT})"
            " FROM client_billing WHERE client_id = ?" + window,
            [client_id, *params],
        )
        assert row is not None  # an aggregate always returns one row
        count = int(row[0])
        if count == 0:
            return BillingTotals(0, Decimal(0), Decimal(0))
        return BillingTotals(
            count=count,
            tokens_used=_from_units(row[1] * _SPLIT + row[2]),
            cost=_from_units(row[3] * _SPLIT + row[4]),
        )


@adapter_factory(engine="sqlite")
def make_adapter(endpoint: Endpoint) -> SQLiteAdapter:
    """The plug-in factory: ``pytest --adapter adapter_contracts.examples.sqlite_adapter:make_adapter``."""
    return SQLiteAdapter(str(endpoint.extra["path"]))
