"""Users and what a user owns: setup, workspace, integrations, campaigns."""

from __future__ import annotations

from datetime import datetime

from adapter_contracts import (
    UNSET,
    Campaign,
    Conflict,
    JSONObject,
    NotFound,
    Page,
    Unset,
    User,
    UserIntegration,
    UserSetup,
    UserWorkspace,
    check_bool,
    check_email,
    check_key,
    check_limit,
    check_payload,
    check_timestamp,
    check_window,
    dumps_payload,
    epoch_ms,
    from_epoch_ms,
    limits,
    listing_scope,
    new_campaign,
    new_user,
    user_changes,
)

from .codecs import loads, to_campaign, to_integration, to_user
from .connection import SQLiteConnection
from .paging import in_window


class UserMethods(SQLiteConnection):
    """The users and what they own."""

    # -- users ---------------------------------------------------------------

    _USER = "SELECT id, email, password_hash, name, created_at FROM users"

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
        return None if row is None else to_user(row)

    def get_user_by_email(self, email: str) -> User | None:
        email = check_email(email)
        row = self._one(self._USER + " WHERE email = ?", (email,))
        return None if row is None else to_user(row)

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
        return to_user(row)

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
            setup_data=None if row[3] is None else loads(row[3]),
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
        return None if row is None else UserWorkspace(user_id=row[0], workspace=loads(row[1]))

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
        return None if row is None else to_integration(row)

    def list_integrations(self, user_id: str, *, category: str | None = None) -> list[UserIntegration]:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        if category is None:
            rows = self._all(self._INTEGRATION + " WHERE user_id = ? ORDER BY category, provider", (user_id,))
        else:
            category = check_key(category, field="category", max_len=limits.CATEGORY_MAX)
            rows = self._all(
                self._INTEGRATION + " WHERE user_id = ? AND category = ? ORDER BY provider", (user_id, category)
            )
        return [to_integration(r) for r in rows]

    def delete_integration(self, user_id: str, category: str, provider: str) -> bool:
        key = self._integration_key(user_id, category, provider)
        with self._write() as conn:
            cursor = conn.execute(
                "DELETE FROM user_integrations WHERE user_id = ? AND category = ? AND provider = ?", key
            )
            return cursor.rowcount > 0

    # -- campaigns -----------------------------------------------------------

    _CAMPAIGN = "SELECT id, user_id, created_at, payload FROM campaigns"

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
        return None if row is None else to_campaign(row)

    def update_campaign(self, campaign_id: str, payload: JSONObject) -> Campaign:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        payload = check_payload(payload, field="payload")
        with self._write() as conn:
            if conn.execute(
                "UPDATE campaigns SET payload = ? WHERE id = ?", (dumps_payload(payload), campaign_id)
            ).rowcount == 0:
                raise NotFound("campaign", campaign_id)
            row = conn.execute(self._CAMPAIGN + " WHERE id = ?", (campaign_id,)).fetchone()
        return to_campaign(row)

    def delete_campaign(self, campaign_id: str) -> bool:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        with self._write() as conn:
            return conn.execute("DELETE FROM campaigns WHERE id = ?", (campaign_id,)).rowcount > 0

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
        window, params = in_window("created_at", lo, hi)
        return self._keyset_page(
            self._CAMPAIGN + " WHERE user_id = ?" + window, [user_id, *params], ("created_at", "id"),
            listing_scope("campaigns", user_id), (int, str), limit, after, to_campaign,
            lambda c: (epoch_ms(c.created_at), c.id),
        )
