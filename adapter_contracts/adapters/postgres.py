"""The PostgreSQL adapter (psycopg 3) over the schema in ``adapters/sql/postgres.sql``.

One connection in autocommit mode: every operation is one statement, so it is
its own transaction, committed before the method returns (a second instance
sees it at once) and atomic when it fails (an operation that raises writes
nothing).  Validation runs first, in the reference adapter's order; database
errors are mapped afterwards, re-checking parents in signature order so the
reported field matches the reference even when Postgres trips over another
constraint first.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from typing import Any, ClassVar, TypeVar

import psycopg
from psycopg import errors as pg_errors
from psycopg.types.json import set_json_loads

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.base import UNSET, Adapter, Unset
from adapter_contracts.adapters.cursor import decode_cursor, encode_cursor, listing_scope
from adapter_contracts.adapters.errors import AdapterError, Conflict, MissingReference, NotFound, StorageUnavailable
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

__all__ = ["PostgresAdapter", "keyset_bound", "load_json", "schema_sql"]

T = TypeVar("T")
Row = tuple[Any, ...]
Params = Sequence[Any]

#: Unique constraint (Postgres default names) -> the Conflict field.
_UNIQUE_FIELDS = {
    "users_pkey": "id",
    "users_email_key": "email",
    "campaigns_pkey": "id",
    "clients_pkey": "id",
}

#: Foreign key (Postgres default names) -> the MissingReference field.
_FOREIGN_KEY_FIELDS = {
    "user_setup_user_id_fkey": "user_id",
    "user_workspace_user_id_fkey": "user_id",
    "user_integrations_user_id_fkey": "user_id",
    "campaigns_user_id_fkey": "user_id",
    "admin_clients_admin_id_fkey": "admin_id",
    "admin_clients_client_id_fkey": "client_id",
    "client_oauth_client_id_fkey": "client_id",
    "client_campaigns_client_id_fkey": "client_id",
    "client_billing_client_id_fkey": "client_id",
    "client_billing_admin_id_fkey": "admin_id",
}

#: A parent to re-check after an integrity error: (field, table, id).
Parent = tuple[str, str, str | None]

_SCHEMA_LOCK = 0x5C4E_3A01  # advisory lock: concurrent CREATE ... IF NOT EXISTS can still collide
_MAX_MS = epoch_ms(limits.TIME_MAX)
_BIGINT_MAX = 2**63 - 1
_BIGINT_MIN = -(2**63)


def schema_sql() -> str:
    """The DDL this adapter's ``create_schema`` runs."""
    return resources.files("adapter_contracts.adapters").joinpath("sql/postgres.sql").read_text(encoding="utf-8")


def _json_int(text: str) -> int | float:
    # Stored integers are within ±(2^53-1) by validation, so a longer integer
    # literal is a float that jsonb printed without exponent (1e16 -> 10000000000000000).
    value = int(text)
    return value if abs(value) <= limits.JSON_INT_MAX else float(text)


def load_json(data: str | bytes) -> Any:
    """Parse jsonb output back into the Python values that were stored."""
    return json.loads(data, parse_int=_json_int)


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _opt_utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def keyset_bound(ms: int, tail: str | int) -> tuple[str, datetime, str | int] | None:
    """The SQL comparison ``(time, key) OP (bound_time, bound_key)`` equivalent to "after (ms, tail)".

    Cursors are decoded JSON, so their parts can be values no row can hold: times
    outside the contract's range, integers outside bigint, text with NUL or lone
    surrogates (which Postgres cannot even receive).  Each is replaced by the
    nearest bound that selects the same rows in the reference's code-point order.
    Returns None when no row can follow the cursor; the operator "" means every row does.
    """
    if ms > _MAX_MS:
        return None
    if ms < 0:
        return ("", limits.TIME_MIN, "")
    at = from_epoch_ms(ms)
    if isinstance(tail, int):
        return (">", at, min(max(tail, _BIGINT_MIN), _BIGINT_MAX))
    for index, char in enumerate(tail):
        if char == "\x00":
            # For NUL-free s: s > p + "\0" + r  <=>  s > p.
            return (">", at, tail[:index])
        if "\ud800" <= char <= "\udfff":
            # For surrogate-free s: s > p + surrogate + r  <=>  s >= p + U+E000.
            return (">=", at, tail[:index] + "\ue000")
    return (">", at, tail)


@dataclass(frozen=True, slots=True)
class _Result:
    rows: list[Row]
    rowcount: int

    def fetchone(self) -> Row | None:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[Row]:
        return self.rows


class PostgresAdapter(Adapter):
    """The contract over PostgreSQL; ``conninfo`` is a libpq DSN or URL."""

    unsupported: ClassVar[Mapping[str, type[AdapterError]]] = {}

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
                return Conflict(_UNIQUE_FIELDS.get(constraint, "id"))
            if isinstance(exc, pg_errors.ForeignKeyViolation) and constraint in _FOREIGN_KEY_FIELDS:
                return MissingReference(_FOREIGN_KEY_FIELDS[constraint])
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
        scope, limit, after, tail_type = page
        conditions = list(conditions)
        params = list(params)
        if after is not None:
            ms, tail = decode_cursor(after, scope, int, tail_type)
            assert isinstance(ms, int)
            bound = keyset_bound(ms, tail)
            if bound is None:
                return Page((), None)
            op, at, key = bound
            if op:
                conditions.append(f"({columns[0]}, {columns[1]}) {op} (%s, %s)")
                params += [at, key]
        sql = f"{select} WHERE {' AND '.join(conditions)} ORDER BY {columns[0]}, {columns[1]}"
        if limit is not None:
            sql += " LIMIT %s"
            params.append(limit + 1)
        items = self._all(sql, params, convert)
        if limit is None or len(items) <= limit:
            return Page(tuple(items), None)
        items = items[:limit]
        return Page(tuple(items), encode_cursor(scope, *key_of(items[-1])))

    # -- lifecycle -----------------------------------------------------------

    def create_schema(self) -> None:
        ddl = schema_sql()
        conn = self._connection()
        try:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                conn.execute(ddl.encode("utf-8"))
        except psycopg.Error as exc:
            raise self._translate(exc, ()) from None

    def expected_schema(self) -> dict[str, Any]:
        declared: dict[str, Any] = json.loads(
            resources.files("adapter_contracts.adapters").joinpath("sql/postgres.schema.json").read_text(encoding="utf-8"))
        return declared

    # -- users ---------------------------------------------------------------

    _USER_COLUMNS = "id, email, password_hash, name, created_at"

    @staticmethod
    def _user(row: Row) -> User:
        return User(row[0], row[1], row[2], row[3], _utc(row[4]))

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
        self._execute(
            "INSERT INTO users (id, email, password_hash, name, created_at) VALUES (%s, %s, %s, %s, %s)",
            (user.id, user.email, user.password_hash, user.name, user.created_at),
        )
        return user

    def get_user(self, user_id: str) -> User | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        return self._one(f"SELECT {self._USER_COLUMNS} FROM users WHERE id = %s", (user_id,), self._user)

    def get_user_by_email(self, email: str) -> User | None:
        email = check_email(email)
        return self._one(f"SELECT {self._USER_COLUMNS} FROM users WHERE email = %s", (email,), self._user)

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
        if changes:
            assignments = ", ".join(f"{column} = %s" for column in changes)
            sql = f"UPDATE users SET {assignments} WHERE id = %s RETURNING {self._USER_COLUMNS}"
        else:
            sql = f"SELECT {self._USER_COLUMNS} FROM users WHERE id = %s"
        user = self._one(sql, (*changes.values(), user_id), self._user)
        if user is None:
            raise NotFound("user", user_id)
        return user

    def delete_user(self, user_id: str) -> bool:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        # The schema's ON DELETE CASCADE / SET NULL carry out the cascade in this statement.
        return self._execute("DELETE FROM users WHERE id = %s", (user_id,)).rowcount > 0

    # -- user setup and workspace -------------------------------------------

    def get_user_setup(self, user_id: str) -> UserSetup | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        return self._one(
            "SELECT user_id, is_setup_complete, completed_at, setup_data FROM user_setup WHERE user_id = %s",
            (user_id,),
            lambda r: UserSetup(r[0], r[1], _opt_utc(r[2]), r[3]),
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
        self._execute(
            "INSERT INTO user_setup (user_id, is_setup_complete, completed_at, setup_data)"
            " VALUES (%s, %s, %s, %s::jsonb) ON CONFLICT (user_id) DO UPDATE SET"
            " is_setup_complete = EXCLUDED.is_setup_complete, completed_at = EXCLUDED.completed_at,"
            " setup_data = EXCLUDED.setup_data",
            (
                setup.user_id,
                setup.is_setup_complete,
                setup.completed_at,
                None if setup.setup_data is None else dumps_payload(setup.setup_data),
            ),
            [("user_id", "users", setup.user_id)],
        )
        return setup

    def get_user_workspace(self, user_id: str) -> UserWorkspace | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        return self._one(
            "SELECT user_id, workspace FROM user_workspace WHERE user_id = %s",
            (user_id,),
            lambda r: UserWorkspace(r[0], r[1]),
        )

    def save_user_workspace(self, user_id: str, workspace: JSONObject) -> UserWorkspace:
        row = UserWorkspace(
            user_id=check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX),
            workspace=check_payload(workspace, field="workspace"),
        )
        self._execute(
            "INSERT INTO user_workspace (user_id, workspace) VALUES (%s, %s::jsonb)"
            " ON CONFLICT (user_id) DO UPDATE SET workspace = EXCLUDED.workspace",
            (row.user_id, dumps_payload(row.workspace)),
            [("user_id", "users", row.user_id)],
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

    @staticmethod
    def _integration(row: Row) -> UserIntegration:
        return UserIntegration(row[0], row[1], row[2], row[3])

    def save_integration(
        self, user_id: str, category: str, provider: str, data: JSONObject
    ) -> UserIntegration:
        key = self._integration_key(user_id, category, provider)
        row = UserIntegration(*key, data=check_payload(data, field="data"))
        self._execute(
            "INSERT INTO user_integrations (user_id, category, provider, data) VALUES (%s, %s, %s, %s::jsonb)"
            " ON CONFLICT (user_id, category, provider) DO UPDATE SET data = EXCLUDED.data",
            (*key, dumps_payload(row.data)),
            [("user_id", "users", row.user_id)],
        )
        return row

    def get_integration(self, user_id: str, category: str, provider: str) -> UserIntegration | None:
        key = self._integration_key(user_id, category, provider)
        return self._one(
            "SELECT user_id, category, provider, data FROM user_integrations"
            " WHERE user_id = %s AND category = %s AND provider = %s",
            key,
            self._integration,
        )

    def list_integrations(self, user_id: str, *, category: str | None = None) -> list[UserIntegration]:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        sql = "SELECT user_id, category, provider, data FROM user_integrations WHERE user_id = %s"
        params: list[str] = [user_id]
        if category is not None:
            params.append(check_key(category, field="category", max_len=limits.CATEGORY_MAX))
            sql += " AND category = %s"
        return self._all(sql + " ORDER BY category, provider", params, self._integration)

    def delete_integration(self, user_id: str, category: str, provider: str) -> bool:
        key = self._integration_key(user_id, category, provider)
        return self._execute(
            "DELETE FROM user_integrations WHERE user_id = %s AND category = %s AND provider = %s", key
        ).rowcount > 0

    # -- campaigns -----------------------------------------------------------

    @staticmethod
    def _campaign(row: Row) -> Campaign:
        return Campaign(row[0], row[1], _utc(row[2]), row[3])

    def create_campaign(
        self,
        *,
        user_id: str,
        payload: JSONObject,
        id: str | None = None,
        created_at: datetime | None = None,
    ) -> Campaign:
        row = new_campaign(user_id=user_id, payload=payload, id=id, created_at=created_at)
        self._execute(
            "INSERT INTO campaigns (id, user_id, created_at, payload) VALUES (%s, %s, %s, %s::jsonb)",
            (row.id, row.user_id, row.created_at, dumps_payload(row.payload)),
            [("user_id", "users", row.user_id)],
        )
        return row

    def get_campaign(self, campaign_id: str) -> Campaign | None:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        return self._one(
            "SELECT id, user_id, created_at, payload FROM campaigns WHERE id = %s", (campaign_id,), self._campaign
        )

    def update_campaign(self, campaign_id: str, payload: JSONObject) -> Campaign:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        payload = check_payload(payload, field="payload")
        found = self._one(
            "UPDATE campaigns SET payload = %s::jsonb WHERE id = %s RETURNING user_id, created_at",
            (dumps_payload(payload), campaign_id),
            lambda r: Campaign(campaign_id, r[0], _utc(r[1]), payload),
        )
        if found is None:
            raise NotFound("campaign", campaign_id)
        return found

    def delete_campaign(self, campaign_id: str) -> bool:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        return self._execute("DELETE FROM campaigns WHERE id = %s", (campaign_id,)).rowcount > 0

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
        conditions, params = _window("created_at", lo, hi, ["user_id = %s"], [user_id])
        return self._keyset(
            "SELECT id, user_id, created_at, payload FROM campaigns",
            conditions,
            params,
            ("created_at", "id"),
            (listing_scope("campaigns", user_id), limit, after, str),
            self._campaign,
            lambda c: (epoch_ms(c.created_at), c.id),
        )

    # -- clients -------------------------------------------------------------

    @staticmethod
    def _client(row: Row) -> Client:
        return Client(row[0], _utc(row[1]), row[2])

    def create_client(
        self, *, payload: JSONObject, id: str | None = None, created_at: datetime | None = None
    ) -> Client:
        row = new_client(payload=payload, id=id, created_at=created_at)
        self._execute(
            "INSERT INTO clients (id, created_at, payload) VALUES (%s, %s, %s::jsonb)",
            (row.id, row.created_at, dumps_payload(row.payload)),
        )
        return row

    def get_client(self, client_id: str) -> Client | None:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        return self._one("SELECT id, created_at, payload FROM clients WHERE id = %s", (client_id,), self._client)

    def update_client(self, client_id: str, payload: JSONObject) -> Client:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        payload = check_payload(payload, field="payload")
        found = self._one(
            "UPDATE clients SET payload = %s::jsonb WHERE id = %s RETURNING created_at",
            (dumps_payload(payload), client_id),
            lambda r: Client(client_id, _utc(r[0]), payload),
        )
        if found is None:
            raise NotFound("client", client_id)
        return found

    def delete_client(self, client_id: str) -> bool:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        return self._execute("DELETE FROM clients WHERE id = %s", (client_id,)).rowcount > 0

    def list_clients(self, *, limit: int | None = None, after: str | None = None) -> Page[Client]:
        limit = check_limit(limit)
        return self._keyset(
            "SELECT id, created_at, payload FROM clients",
            ["TRUE"],
            [],
            ("created_at", "id"),
            ("clients", limit, after, str),
            self._client,
            lambda c: (epoch_ms(c.created_at), c.id),
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
        return self._execute(
            "INSERT INTO admin_clients (admin_id, client_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            key,
            [("admin_id", "users", key[0]), ("client_id", "clients", key[1])],
        ).rowcount > 0

    def unlink_admin(self, admin_id: str, client_id: str) -> bool:
        key = self._link_key(admin_id, client_id)
        return self._execute(
            "DELETE FROM admin_clients WHERE admin_id = %s AND client_id = %s", key
        ).rowcount > 0

    def list_admin_clients(self, admin_id: str) -> list[str]:
        admin_id = check_key(admin_id, field="admin_id", max_len=limits.USER_ID_MAX)
        return self._all(
            "SELECT client_id FROM admin_clients WHERE admin_id = %s ORDER BY client_id",
            (admin_id,),
            lambda r: str(r[0]),
        )

    def list_client_admins(self, client_id: str) -> list[str]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        return self._all(
            "SELECT admin_id FROM admin_clients WHERE client_id = %s ORDER BY admin_id",
            (client_id,),
            lambda r: str(r[0]),
        )

    # -- client oauth --------------------------------------------------------

    @staticmethod
    def _oauth_key(client_id: str, platform: str) -> tuple[str, str]:
        return (
            check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX),
            check_key(platform, field="platform", max_len=limits.PLATFORM_MAX),
        )

    @staticmethod
    def _oauth(row: Row) -> ClientOAuth:
        return ClientOAuth(row[0], row[1], row[2])

    def save_oauth(self, client_id: str, platform: str, data: JSONObject) -> ClientOAuth:
        key = self._oauth_key(client_id, platform)
        row = ClientOAuth(*key, data=check_payload(data, field="data"))
        self._execute(
            "INSERT INTO client_oauth (client_id, platform, data) VALUES (%s, %s, %s::jsonb)"
            " ON CONFLICT (client_id, platform) DO UPDATE SET data = EXCLUDED.data",
            (*key, dumps_payload(row.data)),
            [("client_id", "clients", row.client_id)],
        )
        return row

    def get_oauth(self, client_id: str, platform: str) -> ClientOAuth | None:
        key = self._oauth_key(client_id, platform)
        return self._one(
            "SELECT client_id, platform, data FROM client_oauth WHERE client_id = %s AND platform = %s",
            key,
            self._oauth,
        )

    def list_oauth(self, client_id: str) -> list[ClientOAuth]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        return self._all(
            "SELECT client_id, platform, data FROM client_oauth WHERE client_id = %s ORDER BY platform",
            (client_id,),
            self._oauth,
        )

    def delete_oauth(self, client_id: str, platform: str) -> bool:
        key = self._oauth_key(client_id, platform)
        return self._execute(
            "DELETE FROM client_oauth WHERE client_id = %s AND platform = %s", key
        ).rowcount > 0

    # -- client campaigns ----------------------------------------------------

    @staticmethod
    def _client_campaign(row: Row) -> ClientCampaign:
        return ClientCampaign(row[0], row[1], row[2])

    def save_client_campaign(self, id: str, *, client_id: str, payload: JSONObject) -> ClientCampaign:
        row = new_client_campaign(id, client_id=client_id, payload=payload)
        self._execute(
            "INSERT INTO client_campaigns (id, client_id, payload) VALUES (%s, %s, %s::jsonb)"
            " ON CONFLICT (id) DO UPDATE SET client_id = EXCLUDED.client_id, payload = EXCLUDED.payload",
            (row.id, row.client_id, dumps_payload(row.payload)),
            [("client_id", "clients", row.client_id)],
        )
        return row

    def get_client_campaign(self, campaign_id: str) -> ClientCampaign | None:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        return self._one(
            "SELECT id, client_id, payload FROM client_campaigns WHERE id = %s", (campaign_id,), self._client_campaign
        )

    def list_client_campaigns(self, client_id: str) -> list[ClientCampaign]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        return self._all(
            "SELECT id, client_id, payload FROM client_campaigns WHERE client_id = %s ORDER BY id",
            (client_id,),
            self._client_campaign,
        )

    def delete_client_campaign(self, campaign_id: str) -> bool:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        return self._execute("DELETE FROM client_campaigns WHERE id = %s", (campaign_id,)).rowcount > 0

    # -- billing -------------------------------------------------------------

    @staticmethod
    def _entry(row: Row) -> BillingEntry:
        return BillingEntry(str(row[0]), row[1], _utc(row[2]), row[3], row[4], row[5])

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
        row = self._execute(
            'INSERT INTO client_billing (client_id, "timestamp", tokens_used, cost, admin_id)'
            " VALUES (%s, %s, %s, %s, %s) RETURNING id",
            (client_id, ts, tokens, amount, admin_id),
            [("client_id", "clients", client_id), ("admin_id", "users", admin_id)],
        ).fetchone()
        assert row is not None
        return BillingEntry(str(row[0]), client_id, ts, tokens, amount, admin_id)

    def record_usage_batch(self, client_id: str, entries: Sequence[UsageInput]) -> list[BillingEntry]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        valid = check_usage_batch(entries)
        conn = self._connection()
        try:
            with conn.transaction():
                # FOR KEY SHARE keeps the parents from being deleted before this commits,
                # so the reference's check order is also the outcome.
                if conn.execute("SELECT 1 FROM clients WHERE id = %s FOR KEY SHARE", (client_id,)).fetchone() is None:
                    raise MissingReference("client_id")
                admins = sorted({admin for *_, admin in valid if admin is not None})
                if admins:
                    found = {row[0] for row in conn.execute(
                        "SELECT id FROM users WHERE id = ANY(%s::text[]) ORDER BY id FOR KEY SHARE", (admins,))}
                    for index, (*_, admin) in enumerate(valid):
                        if admin is not None and admin not in found:
                            raise MissingReference(f"entries[{index}].admin_id")
                if not valid:
                    return []
                columns = list(zip(*valid, strict=True))
                # Rows reach the insert in ORDER BY n order, so ids (the insertion order) follow the sequence.
                ids = sorted(row[0] for row in conn.execute(
                    'INSERT INTO client_billing (client_id, "timestamp", tokens_used, cost, admin_id)'
                    " SELECT %s, t, k, c, a FROM unnest(%s::timestamptz[], %s::numeric[], %s::numeric[], %s::text[])"
                    " WITH ORDINALITY AS u(t, k, c, a, n) ORDER BY n RETURNING id",
                    (client_id, *(list(column) for column in columns)),
                ))
        except psycopg.Error as exc:
            raise self._translate(exc, [("client_id", "clients", client_id)]) from None
        return [
            BillingEntry(str(seq), client_id, ts, tokens, amount, admin)
            for seq, (ts, tokens, amount, admin) in zip(ids, valid, strict=True)
        ]

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
        conditions, params = _window('"timestamp"', lo, hi, ["client_id = %s"], [client_id])
        return self._keyset(
            'SELECT id, client_id, "timestamp", tokens_used, cost, admin_id FROM client_billing',
            conditions,
            params,
            ('"timestamp"', "id"),
            (listing_scope("billing", client_id), limit, after, int),
            self._entry,
            lambda e: (epoch_ms(e.timestamp), int(e.id)),
        )

    def usage_totals(
        self, client_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> BillingTotals:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        lo, hi = check_window(start, end)
        conditions, params = _window('"timestamp"', lo, hi, ["client_id = %s"], [client_id])
        totals = self._one(
            "SELECT count(*), COALESCE(sum(tokens_used), 0), COALESCE(sum(cost), 0) FROM client_billing"
            f" WHERE {' AND '.join(conditions)}",
            params,
            lambda r: BillingTotals(int(r[0]), r[1], r[2]),
        )
        assert totals is not None
        return totals


def _window(
    column: str, lo: datetime | None, hi: datetime | None, conditions: list[str], params: list[Any]
) -> tuple[list[str], list[Any]]:
    conditions, params = list(conditions), list(params)
    if lo is not None:
        conditions.append(f"{column} >= %s")
        params.append(lo)
    if hi is not None:
        conditions.append(f"{column} < %s")
        params.append(hi)
    return conditions, params
