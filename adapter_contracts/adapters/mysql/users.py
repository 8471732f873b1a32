"""Users and what a user owns: setup, workspace, integrations, campaigns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.base import UNSET, Unset
from adapter_contracts.adapters.cursor import created_key, keyset_page, listing_scope
from adapter_contracts.adapters.errors import MissingReference, NotFound
from adapter_contracts.adapters.inputs import integration_key, new_campaign, new_user, user_changes
from adapter_contracts.adapters.mysql.codecs import aware, loads, naive, opt_aware, to_campaign, to_user
from adapter_contracts.adapters.mysql.connection import Cursor, MySQLConnection
from adapter_contracts.adapters.mysql.paging import decode_after, window_sql
from adapter_contracts.adapters.mysql.statements import (
    CAMPAIGN_COLUMNS,
    CLEAR_BILLING_ADMIN,
    DELETE_CAMPAIGN,
    DELETE_INTEGRATION,
    DELETE_USER,
    DELETE_USER_CHILDREN,
    INSERT_CAMPAIGN_IF_USER,
    INSERT_USER,
    LOCK_CAMPAIGN,
    LOCK_USER,
    LOCK_USER_ROW,
    SELECT_CAMPAIGN,
    SELECT_INTEGRATION_DATA,
    SELECT_SETUP,
    SELECT_USER,
    SELECT_USER_BY_EMAIL,
    SELECT_USER_INTEGRATIONS,
    SELECT_WORKSPACE,
    UPDATE_CAMPAIGN,
    UPSERT_INTEGRATION,
    UPSERT_SETUP,
    UPSERT_WORKSPACE,
    update_user,
)
from adapter_contracts.adapters.records import (
    Campaign,
    JSONObject,
    Page,
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
    check_window,
    dumps_payload,
)


class UserMethods(MySQLConnection):
    """The users and what they own; parents are checked and cascades run here (no foreign keys)."""

    # -- users ---------------------------------------------------------------

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
            cur.execute(INSERT_USER, (user.id, user.email, user.password_hash, user.name, naive(user.created_at)))
            return user

        return self._transaction(work, single=True)

    def get_user(self, user_id: str) -> User | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        row = self._one(SELECT_USER, (user_id,))
        return None if row is None else to_user(row)

    def get_user_by_email(self, email: str) -> User | None:
        email = check_email(email)
        row = self._one(SELECT_USER_BY_EMAIL, (email,))
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

        def work(cur: Cursor) -> User:
            cur.execute(LOCK_USER_ROW, (user_id,))
            row = cur.fetchone()
            if row is None:
                raise NotFound("user", user_id)
            if changes:
                cur.execute(update_user(changes), (*changes.values(), user_id))
            current = to_user(row)
            return User(
                id=current.id,
                email=changes.get("email", current.email),
                password_hash=changes.get("password_hash", current.password_hash),
                name=changes.get("name", current.name),
                created_at=current.created_at,
            )

        return self._transaction(work)

    def delete_user(self, user_id: str) -> bool:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)

        def work(cur: Cursor) -> bool:
            # The exclusive lock makes concurrent child inserts (which take a
            # shared lock on the user) wait, then see the user gone.
            if not self._exists(cur, LOCK_USER, (user_id,)):
                return False
            for statement in DELETE_USER_CHILDREN:
                cur.execute(statement, (user_id,))
            cur.execute(CLEAR_BILLING_ADMIN, (user_id,))
            cur.execute(DELETE_USER, (user_id,))
            return True

        return self._transaction(work)

    # -- user setup and workspace -------------------------------------------

    def get_user_setup(self, user_id: str) -> UserSetup | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        row = self._one(SELECT_SETUP, (user_id,))
        if row is None:
            return None
        return UserSetup(row[0], bool(row[1]), opt_aware(row[2]), loads(row[3]))

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
                UPSERT_SETUP,
                (setup.user_id, int(setup.is_setup_complete),
                 None if setup.completed_at is None else naive(setup.completed_at), data),
            )
            return UserSetup(setup.user_id, setup.is_setup_complete, setup.completed_at, loads(data))

        return self._transaction(work)

    def get_user_workspace(self, user_id: str) -> UserWorkspace | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        row = self._one(SELECT_WORKSPACE, (user_id,))
        return None if row is None else UserWorkspace(row[0], loads(row[1]))

    def save_user_workspace(self, user_id: str, workspace: JSONObject) -> UserWorkspace:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        data = dumps_payload(check_payload(workspace, field="workspace"))

        def work(cur: Cursor) -> UserWorkspace:
            self._require_user(cur, user_id)
            cur.execute(UPSERT_WORKSPACE, (user_id, data))
            return UserWorkspace(user_id, loads(data))

        return self._transaction(work)

    # -- user integrations ---------------------------------------------------

    def save_integration(
        self, user_id: str, category: str, provider: str, data: JSONObject
    ) -> UserIntegration:
        key = integration_key(user_id, category, provider)
        text = dumps_payload(check_payload(data, field="data"))

        def work(cur: Cursor) -> UserIntegration:
            self._require_user(cur, key[0])
            cur.execute(UPSERT_INTEGRATION, (*key, text))
            return UserIntegration(*key, data=loads(text))

        return self._transaction(work)

    def get_integration(self, user_id: str, category: str, provider: str) -> UserIntegration | None:
        key = integration_key(user_id, category, provider)
        row = self._one(
            SELECT_INTEGRATION_DATA, key
        )
        return None if row is None else UserIntegration(*key, data=loads(row[0]))

    def list_integrations(self, user_id: str, *, category: str | None = None) -> list[UserIntegration]:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        if category is not None:
            category = check_key(category, field="category", max_len=limits.CATEGORY_MAX)

        sql = SELECT_USER_INTEGRATIONS
        params: list[Any] = [user_id]
        if category is not None:
            sql += " AND category = %s"
            params.append(category)
        rows = self._all(sql + " ORDER BY category, provider", params)
        return [UserIntegration(r[0], r[1], r[2], loads(r[3])) for r in rows]

    def delete_integration(self, user_id: str, category: str, provider: str) -> bool:
        key = integration_key(user_id, category, provider)

        def work(cur: Cursor) -> bool:
            cur.execute(DELETE_INTEGRATION, key)
            return bool(cur.rowcount)

        return self._transaction(work, single=True)

    # -- campaigns -----------------------------------------------------------

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
            cur.execute(INSERT_CAMPAIGN_IF_USER, (row.id, row.user_id, naive(row.created_at), text, row.user_id))
            if cur.rowcount == 0:
                raise MissingReference("user_id")
            return Campaign(row.id, row.user_id, row.created_at, loads(text))

        return self._transaction(work, single=True)

    def get_campaign(self, campaign_id: str) -> Campaign | None:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        found = self._one(SELECT_CAMPAIGN, (campaign_id,))
        return None if found is None else to_campaign(found)

    def update_campaign(self, campaign_id: str, payload: JSONObject) -> Campaign:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        text = dumps_payload(check_payload(payload, field="payload"))

        def work(cur: Cursor) -> Campaign:
            # Affected-rows is 0 for an unchanged payload, so existence is read, not inferred.
            cur.execute(LOCK_CAMPAIGN, (campaign_id,))
            found = cur.fetchone()
            if found is None:
                raise NotFound("campaign", campaign_id)
            cur.execute(UPDATE_CAMPAIGN, (text, campaign_id))
            return Campaign(found[0], found[1], aware(found[2]), loads(text))

        return self._transaction(work)

    def delete_campaign(self, campaign_id: str) -> bool:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)

        def work(cur: Cursor) -> bool:
            cur.execute(DELETE_CAMPAIGN, (campaign_id,))
            return bool(cur.rowcount)

        return self._transaction(work, single=True)

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
        start_at = decode_after(after, scope, str)
        window, params = window_sql("created_at", lo, hi)
        found = self._keyset("campaigns", CAMPAIGN_COLUMNS, f"user_id = %s{window}", [user_id, *params],
                             "created_at", start_at, limit)
        return keyset_page([to_campaign(r) for r in found], limit=limit, scope=scope, key=created_key)
