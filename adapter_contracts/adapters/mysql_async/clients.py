"""Clients and what a client owns: admin links, oauth rows, client campaigns."""

from __future__ import annotations

from datetime import datetime

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.cursor import created_key, keyset_page
from adapter_contracts.adapters.errors import Conflict, NotFound
from adapter_contracts.adapters.inputs import link_key, new_client, new_client_campaign, oauth_key
from adapter_contracts.adapters.mysql.codecs import aware, loads, naive, to_client
from adapter_contracts.adapters.mysql.paging import decode_after
from adapter_contracts.adapters.mysql.statements import (
    DELETE_CLIENT,
    DELETE_CLIENT_CAMPAIGN,
    DELETE_CLIENT_CHILDREN,
    DELETE_OAUTH,
    INSERT_CLIENT,
    LINK_ADMIN,
    LOCK_CLIENT,
    LOCK_CLIENT_ROW,
    SELECT_ADMIN_CLIENTS,
    SELECT_CLIENT,
    SELECT_CLIENT_ADMINS,
    SELECT_CLIENT_CAMPAIGN,
    SELECT_CLIENT_CAMPAIGNS,
    SELECT_CLIENT_OAUTH,
    SELECT_OAUTH_DATA,
    UNLINK_ADMIN,
    UPDATE_CLIENT,
    UPSERT_CLIENT_CAMPAIGN,
    UPSERT_OAUTH,
)
from adapter_contracts.adapters.mysql_async.connection import AsyncCursor, AsyncMySQLConnection
from adapter_contracts.adapters.records import Client, ClientCampaign, ClientOAuth, JSONObject, Page
from adapter_contracts.adapters.validation import check_key, check_limit, check_payload, dumps_payload


class ClientMethods(AsyncMySQLConnection):
    """The clients and what they own; parents are checked and cascades run here (no foreign keys)."""

    # -- clients -------------------------------------------------------------

    async def create_client(
        self, *, payload: JSONObject, id: str | None = None, created_at: datetime | None = None
    ) -> Client:
        row = new_client(payload=payload, id=id, created_at=created_at)
        text = dumps_payload(row.payload)

        async def work(cur: AsyncCursor) -> Client:
            await cur.execute(INSERT_CLIENT, (row.id, naive(row.created_at), text))
            return Client(row.id, row.created_at, loads(text))

        return await self._transaction(work, single=True)

    async def get_client(self, client_id: str) -> Client | None:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        found = await self._one(SELECT_CLIENT, (client_id,))
        return None if found is None else to_client(found)

    async def update_client(self, client_id: str, payload: JSONObject) -> Client:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        text = dumps_payload(check_payload(payload, field="payload"))

        async def work(cur: AsyncCursor) -> Client:
            await cur.execute(LOCK_CLIENT_ROW, (client_id,))
            found = await cur.fetchone()
            if found is None:
                raise NotFound("client", client_id)
            await cur.execute(UPDATE_CLIENT, (text, client_id))
            return Client(found[0], aware(found[1]), loads(text))

        return await self._transaction(work)

    async def delete_client(self, client_id: str) -> bool:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)

        async def work(cur: AsyncCursor) -> bool:
            if not await self._exists(cur, LOCK_CLIENT, (client_id,)):
                return False
            for statement in DELETE_CLIENT_CHILDREN:
                await cur.execute(statement, (client_id,))
            await cur.execute(DELETE_CLIENT, (client_id,))
            return True

        return await self._transaction(work)

    async def list_clients(self, *, limit: int | None = None, after: str | None = None) -> Page[Client]:
        limit = check_limit(limit)
        start_at = decode_after(after, "clients", str)
        found = await self._keyset("clients", "id, created_at, payload", "TRUE", [], "created_at", start_at, limit)
        return keyset_page([to_client(r) for r in found], limit=limit, scope="clients", key=created_key)

    # -- admin links ---------------------------------------------------------

    async def link_admin(self, admin_id: str, client_id: str) -> bool:
        key = link_key(admin_id, client_id)

        async def work(cur: AsyncCursor) -> bool:
            await self._require_user(cur, key[0], "admin_id")
            await self._require_client(cur, key[1])
            # A plain INSERT, not INSERT IGNORE: IGNORE would also turn other
            # errors into warnings.  A failed statement leaves the transaction open.
            try:
                await cur.execute(LINK_ADMIN, key)
            except Conflict:  # the link exists (a duplicate key)
                return False
            return True

        return await self._transaction(work)

    async def unlink_admin(self, admin_id: str, client_id: str) -> bool:
        key = link_key(admin_id, client_id)

        async def work(cur: AsyncCursor) -> bool:
            await cur.execute(UNLINK_ADMIN, key)
            return bool(cur.rowcount)

        return await self._transaction(work, single=True)

    async def list_admin_clients(self, admin_id: str) -> list[str]:
        admin_id = check_key(admin_id, field="admin_id", max_len=limits.USER_ID_MAX)
        rows = await self._all(SELECT_ADMIN_CLIENTS, (admin_id,))
        return [r[0] for r in rows]

    async def list_client_admins(self, client_id: str) -> list[str]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        rows = await self._all(SELECT_CLIENT_ADMINS, (client_id,))
        return [r[0] for r in rows]

    # -- client oauth --------------------------------------------------------

    async def save_oauth(self, client_id: str, platform: str, data: JSONObject) -> ClientOAuth:
        key = oauth_key(client_id, platform)
        text = dumps_payload(check_payload(data, field="data"))

        async def work(cur: AsyncCursor) -> ClientOAuth:
            await self._require_client(cur, key[0])
            await cur.execute(UPSERT_OAUTH, (*key, text))
            return ClientOAuth(*key, data=loads(text))

        return await self._transaction(work)

    async def get_oauth(self, client_id: str, platform: str) -> ClientOAuth | None:
        key = oauth_key(client_id, platform)
        row = await self._one(SELECT_OAUTH_DATA, key)
        return None if row is None else ClientOAuth(*key, data=loads(row[0]))

    async def list_oauth(self, client_id: str) -> list[ClientOAuth]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        rows = await self._all(
            SELECT_CLIENT_OAUTH, (client_id,)
        )
        return [ClientOAuth(r[0], r[1], loads(r[2])) for r in rows]

    async def delete_oauth(self, client_id: str, platform: str) -> bool:
        key = oauth_key(client_id, platform)

        async def work(cur: AsyncCursor) -> bool:
            await cur.execute(DELETE_OAUTH, key)
            return bool(cur.rowcount)

        return await self._transaction(work, single=True)

    # -- client campaigns ----------------------------------------------------

    async def save_client_campaign(self, id: str, *, client_id: str, payload: JSONObject) -> ClientCampaign:
        row = new_client_campaign(id, client_id=client_id, payload=payload)
        text = dumps_payload(row.payload)

        async def work(cur: AsyncCursor) -> ClientCampaign:
            await self._require_client(cur, row.client_id)
            await cur.execute(UPSERT_CLIENT_CAMPAIGN, (row.id, row.client_id, text))
            return ClientCampaign(row.id, row.client_id, loads(text))

        return await self._transaction(work)

    async def get_client_campaign(self, campaign_id: str) -> ClientCampaign | None:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        r = await self._one(SELECT_CLIENT_CAMPAIGN, (campaign_id,))
        return None if r is None else ClientCampaign(r[0], r[1], loads(r[2]))

    async def list_client_campaigns(self, client_id: str) -> list[ClientCampaign]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        rows = await self._all(
            SELECT_CLIENT_CAMPAIGNS, (client_id,)
        )
        return [ClientCampaign(r[0], r[1], loads(r[2])) for r in rows]

    async def delete_client_campaign(self, campaign_id: str) -> bool:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)

        async def work(cur: AsyncCursor) -> bool:
            await cur.execute(DELETE_CLIENT_CAMPAIGN, (campaign_id,))
            return bool(cur.rowcount)

        return await self._transaction(work, single=True)
