"""Users and what a user owns: setup, workspace, integrations, campaigns (the sync statements, awaited)."""

from __future__ import annotations

from datetime import datetime

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.base import UNSET, Unset
from adapter_contracts.adapters.cursor import created_key, listing_scope
from adapter_contracts.adapters.errors import NotFound
from adapter_contracts.adapters.inputs import integration_key, new_campaign, new_user, user_changes
from adapter_contracts.adapters.postgres.codecs import opt_utc, to_campaign, to_integration, to_user, utc
from adapter_contracts.adapters.postgres.paging import window
from adapter_contracts.adapters.postgres.statements import (
    DELETE_CAMPAIGN,
    DELETE_INTEGRATION,
    DELETE_USER,
    INSERT_CAMPAIGN,
    INSERT_USER,
    SELECT_CAMPAIGN,
    SELECT_CAMPAIGNS,
    SELECT_INTEGRATION,
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
from adapter_contracts.adapters.postgres_async.connection import AsyncPostgresConnection
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


class UserMethods(AsyncPostgresConnection):
    """The users and what they own."""

    # -- users ---------------------------------------------------------------

    async def create_user(
        self,
        *,
        email: str,
        password_hash: str,
        name: str | None = None,
        id: str | None = None,
        created_at: datetime | None = None,
    ) -> User:
        user = new_user(email=email, password_hash=password_hash, name=name, id=id, created_at=created_at)
        await self._execute(INSERT_USER, (user.id, user.email, user.password_hash, user.name, user.created_at))
        return user

    async def get_user(self, user_id: str) -> User | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        return await self._one(SELECT_USER, (user_id,), to_user)

    async def get_user_by_email(self, email: str) -> User | None:
        email = check_email(email)
        return await self._one(SELECT_USER_BY_EMAIL, (email,), to_user)

    async def update_user(
        self,
        user_id: str,
        *,
        email: str | Unset = UNSET,
        password_hash: str | Unset = UNSET,
        name: str | Unset | None = UNSET,
    ) -> User:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        changes = user_changes(email=email, password_hash=password_hash, name=name)
        user = await self._one(update_user(changes), (*changes.values(), user_id), to_user)
        if user is None:
            raise NotFound("user", user_id)
        return user

    async def delete_user(self, user_id: str) -> bool:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        # The schema's ON DELETE CASCADE / SET NULL carry out the cascade in this statement.
        return (await self._execute(DELETE_USER, (user_id,))).rowcount > 0

    # -- user setup and workspace -------------------------------------------

    async def get_user_setup(self, user_id: str) -> UserSetup | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        return await self._one(
            SELECT_SETUP,
            (user_id,),
            lambda r: UserSetup(r[0], r[1], opt_utc(r[2]), r[3]),
        )

    async def save_user_setup(
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
        await self._execute(
            UPSERT_SETUP,
            (
                setup.user_id,
                setup.is_setup_complete,
                setup.completed_at,
                None if setup.setup_data is None else dumps_payload(setup.setup_data),
            ),
            [("user_id", "users", setup.user_id)],
        )
        return setup

    async def get_user_workspace(self, user_id: str) -> UserWorkspace | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        return await self._one(
            SELECT_WORKSPACE,
            (user_id,),
            lambda r: UserWorkspace(r[0], r[1]),
        )

    async def save_user_workspace(self, user_id: str, workspace: JSONObject) -> UserWorkspace:
        row = UserWorkspace(
            user_id=check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX),
            workspace=check_payload(workspace, field="workspace"),
        )
        await self._execute(
            UPSERT_WORKSPACE,
            (row.user_id, dumps_payload(row.workspace)),
            [("user_id", "users", row.user_id)],
        )
        return row

    # -- user integrations ---------------------------------------------------

    async def save_integration(
        self, user_id: str, category: str, provider: str, data: JSONObject
    ) -> UserIntegration:
        key = integration_key(user_id, category, provider)
        row = UserIntegration(*key, data=check_payload(data, field="data"))
        await self._execute(
            UPSERT_INTEGRATION,
            (*key, dumps_payload(row.data)),
            [("user_id", "users", row.user_id)],
        )
        return row

    async def get_integration(self, user_id: str, category: str, provider: str) -> UserIntegration | None:
        key = integration_key(user_id, category, provider)
        return await self._one(
            SELECT_INTEGRATION,
            key,
            to_integration,
        )

    async def list_integrations(self, user_id: str, *, category: str | None = None) -> list[UserIntegration]:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        sql = SELECT_USER_INTEGRATIONS
        params: list[str] = [user_id]
        if category is not None:
            params.append(check_key(category, field="category", max_len=limits.CATEGORY_MAX))
            sql += " AND category = %s"
        return await self._all(sql + " ORDER BY category, provider", params, to_integration)

    async def delete_integration(self, user_id: str, category: str, provider: str) -> bool:
        key = integration_key(user_id, category, provider)
        return (await self._execute(
            DELETE_INTEGRATION, key
        )).rowcount > 0

    # -- campaigns -----------------------------------------------------------

    async def create_campaign(
        self,
        *,
        user_id: str,
        payload: JSONObject,
        id: str | None = None,
        created_at: datetime | None = None,
    ) -> Campaign:
        row = new_campaign(user_id=user_id, payload=payload, id=id, created_at=created_at)
        await self._execute(
            INSERT_CAMPAIGN,
            (row.id, row.user_id, row.created_at, dumps_payload(row.payload)),
            [("user_id", "users", row.user_id)],
        )
        return row

    async def get_campaign(self, campaign_id: str) -> Campaign | None:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        return await self._one(
            SELECT_CAMPAIGN, (campaign_id,), to_campaign
        )

    async def update_campaign(self, campaign_id: str, payload: JSONObject) -> Campaign:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        payload = check_payload(payload, field="payload")
        found = await self._one(
            UPDATE_CAMPAIGN,
            (dumps_payload(payload), campaign_id),
            lambda r: Campaign(campaign_id, r[0], utc(r[1]), payload),
        )
        if found is None:
            raise NotFound("campaign", campaign_id)
        return found

    async def delete_campaign(self, campaign_id: str) -> bool:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        return (await self._execute(DELETE_CAMPAIGN, (campaign_id,))).rowcount > 0

    async def list_campaigns(
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
        conditions, params = window("created_at", lo, hi, ["user_id = %s"], [user_id])
        return await self._keyset(
            SELECT_CAMPAIGNS,
            conditions,
            params,
            ("created_at", "id"),
            (listing_scope("campaigns", user_id), limit, after, str),
            to_campaign,
            created_key,
        )
