"""Clients and what a client owns: admin links, oauth rows, client campaigns (the sync statements, awaited)."""

from __future__ import annotations

from datetime import datetime

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.cursor import created_key
from adapter_contracts.adapters.errors import NotFound
from adapter_contracts.adapters.inputs import link_key, new_client, new_client_campaign, oauth_key
from adapter_contracts.adapters.postgres.codecs import to_client, to_client_campaign, to_oauth, utc
from adapter_contracts.adapters.postgres.statements import (
    DELETE_CLIENT,
    DELETE_CLIENT_CAMPAIGN,
    DELETE_OAUTH,
    INSERT_CLIENT,
    LINK_ADMIN,
    SELECT_ADMIN_CLIENTS,
    SELECT_CLIENT,
    SELECT_CLIENT_ADMINS,
    SELECT_CLIENT_CAMPAIGN,
    SELECT_CLIENT_CAMPAIGNS,
    SELECT_CLIENT_OAUTH,
    SELECT_CLIENTS,
    SELECT_OAUTH,
    UNLINK_ADMIN,
    UPDATE_CLIENT,
    UPSERT_CLIENT_CAMPAIGN,
    UPSERT_OAUTH,
)
from adapter_contracts.adapters.postgres_async.connection import AsyncPostgresConnection
from adapter_contracts.adapters.records import Client, ClientCampaign, ClientOAuth, JSONObject, Page
from adapter_contracts.adapters.validation import check_key, check_limit, check_payload, dumps_payload


class ClientMethods(AsyncPostgresConnection):
    """The clients and what they own."""

    # -- clients -------------------------------------------------------------

    async def create_client(
        self, *, payload: JSONObject, id: str | None = None, created_at: datetime | None = None
    ) -> Client:
        row = new_client(payload=payload, id=id, created_at=created_at)
        await self._execute(INSERT_CLIENT, (row.id, row.created_at, dumps_payload(row.payload)))
        return row

    async def get_client(self, client_id: str) -> Client | None:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        return await self._one(SELECT_CLIENT, (client_id,), to_client)

    async def update_client(self, client_id: str, payload: JSONObject) -> Client:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        payload = check_payload(payload, field="payload")
        found = await self._one(
            UPDATE_CLIENT,
            (dumps_payload(payload), client_id),
            lambda r: Client(client_id, utc(r[0]), payload),
        )
        if found is None:
            raise NotFound("client", client_id)
        return found

    async def delete_client(self, client_id: str) -> bool:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        return (await self._execute(DELETE_CLIENT, (client_id,))).rowcount > 0

    async def list_clients(self, *, limit: int | None = None, after: str | None = None) -> Page[Client]:
        limit = check_limit(limit)
        return await self._keyset(
            SELECT_CLIENTS,
            ["TRUE"],
            [],
            ("created_at", "id"),
            ("clients", limit, after, str),
            to_client,
            created_key,
        )

    # -- admin links ---------------------------------------------------------

    async def link_admin(self, admin_id: str, client_id: str) -> bool:
        key = link_key(admin_id, client_id)
        return (await self._execute(
            LINK_ADMIN,
            key,
            [("admin_id", "users", key[0]), ("client_id", "clients", key[1])],
        )).rowcount > 0

    async def unlink_admin(self, admin_id: str, client_id: str) -> bool:
        key = link_key(admin_id, client_id)
        return (await self._execute(
            UNLINK_ADMIN, key
        )).rowcount > 0

    async def list_admin_clients(self, admin_id: str) -> list[str]:
        admin_id = check_key(admin_id, field="admin_id", max_len=limits.USER_ID_MAX)
        return await self._all(
            SELECT_ADMIN_CLIENTS,
            (admin_id,),
            lambda r: str(r[0]),
        )

    async def list_client_admins(self, client_id: str) -> list[str]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        return await self._all(
            SELECT_CLIENT_ADMINS,
            (client_id,),
            lambda r: str(r[0]),
        )

    # -- client oauth --------------------------------------------------------

    async def save_oauth(self, client_id: str, platform: str, data: JSONObject) -> ClientOAuth:
        key = oauth_key(client_id, platform)
        row = ClientOAuth(*key, data=check_payload(data, field="data"))
        await self._execute(
            UPSERT_OAUTH,
            (*key, dumps_payload(row.data)),
            [("client_id", "clients", row.client_id)],
        )
        return row

    async def get_oauth(self, client_id: str, platform: str) -> ClientOAuth | None:
        key = oauth_key(client_id, platform)
        return await self._one(
            SELECT_OAUTH,
            key,
            to_oauth,
        )

    async def list_oauth(self, client_id: str) -> list[ClientOAuth]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        return await self._all(
            SELECT_CLIENT_OAUTH,
            (client_id,),
            to_oauth,
        )

    async def delete_oauth(self, client_id: str, platform: str) -> bool:
        key = oauth_key(client_id, platform)
        return (await self._execute(
            DELETE_OAUTH, key
        )).rowcount > 0

    # -- client campaigns ----------------------------------------------------

    async def save_client_campaign(self, id: str, *, client_id: str, payload: JSONObject) -> ClientCampaign:
        row = new_client_campaign(id, client_id=client_id, payload=payload)
        await self._execute(
            UPSERT_CLIENT_CAMPAIGN,
            (row.id, row.client_id, dumps_payload(row.payload)),
            [("client_id", "clients", row.client_id)],
        )
        return row

    async def get_client_campaign(self, campaign_id: str) -> ClientCampaign | None:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        return await self._one(
            SELECT_CLIENT_CAMPAIGN, (campaign_id,), to_client_campaign
        )

    async def list_client_campaigns(self, client_id: str) -> list[ClientCampaign]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        return await self._all(
            SELECT_CLIENT_CAMPAIGNS,
            (client_id,),
            to_client_campaign,
        )

    async def delete_client_campaign(self, campaign_id: str) -> bool:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        return (await self._execute(DELETE_CLIENT_CAMPAIGN, (campaign_id,))).rowcount > 0
