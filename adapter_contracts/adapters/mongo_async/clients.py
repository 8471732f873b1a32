"""Clients and what a client owns: admin links, oauth rows, client campaigns."""

from __future__ import annotations

import functools
from datetime import datetime

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.cursor import created_key
from adapter_contracts.adapters.errors import Conflict, NotFound
from adapter_contracts.adapters.inputs import link_key, new_client, new_client_campaign, oauth_key
from adapter_contracts.adapters.mongo.codecs import (
    encode_payload,
    format_timestamp,
    to_client,
    to_client_campaign,
    to_oauth,
)
from adapter_contracts.adapters.mongo_async.connection import AsyncMongoConnection, Doc
from adapter_contracts.adapters.records import Client, ClientCampaign, ClientOAuth, JSONObject, Page
from adapter_contracts.adapters.validation import check_key, check_limit, check_payload


class ClientMethods(AsyncMongoConnection):
    """The clients and what they own: parent checks, re-checks and cascades as single-document steps."""

    # -- clients -------------------------------------------------------------

    async def create_client(
        self, *, payload: JSONObject, id: str | None = None, created_at: datetime | None = None
    ) -> Client:
        row = new_client(payload=payload, id=id, created_at=created_at)
        try:
            await self._clients.insert_one(
                {"_id": row.id, "createdAt": format_timestamp(row.created_at), "payload": encode_payload(row.payload)}
            )
        except Conflict:
            raise Conflict("id") from None
        return row

    async def get_client(self, client_id: str) -> Client | None:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        doc = await self._clients.find_one({"_id": client_id})
        return None if doc is None else to_client(doc)

    async def update_client(self, client_id: str, payload: JSONObject) -> Client:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        payload = check_payload(payload, field="payload")
        doc = await self._clients.find_one_and_update(
            {"_id": client_id}, {"$set": {"payload": encode_payload(payload)}})
        if doc is None:
            raise NotFound("client", client_id)
        return to_client(doc)

    async def _delete_client_children(self, client_id: str) -> None:
        for collection in (self._admins, self._oauth, self._client_campaigns, self._billing):
            await collection.delete_many({"clientId": client_id})

    async def delete_client(self, client_id: str) -> bool:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        await self._delete_client_children(client_id)
        deleted = (await self._clients.delete_one({"_id": client_id})) == 1
        if deleted:
            await self._delete_client_children(client_id)
        return deleted

    async def list_clients(self, *, limit: int | None = None, after: str | None = None) -> Page[Client]:
        limit = check_limit(limit)
        page = ("clients", limit, after, str)
        return await self._page(self._clients, {}, ("createdAt", "_id"), page, to_client, created_key)

    # -- admin links ---------------------------------------------------------

    @staticmethod
    def _link_key(admin_id: str, client_id: str) -> Doc:
        return dict(zip(("adminId", "clientId"), link_key(admin_id, client_id), strict=True))

    async def link_admin(self, admin_id: str, client_id: str) -> bool:
        key = self._link_key(admin_id, client_id)
        await self._require(self._users, key["adminId"], "admin_id")
        await self._require(self._clients, key["clientId"], "client_id")
        try:
            await self._admins.insert_one(dict(key))
        except Conflict:
            return False
        undo = functools.partial(self._admins.delete_one, key)
        await self._confirm(self._users, key["adminId"], "admin_id", undo)
        await self._confirm(self._clients, key["clientId"], "client_id", undo)
        return True

    async def unlink_admin(self, admin_id: str, client_id: str) -> bool:
        return (await self._admins.delete_one(self._link_key(admin_id, client_id))) == 1

    async def list_admin_clients(self, admin_id: str) -> list[str]:
        admin_id = check_key(admin_id, field="admin_id", max_len=limits.USER_ID_MAX)
        return sorted(d["clientId"] for d in await self._admins.find({"adminId": admin_id}))

    async def list_client_admins(self, client_id: str) -> list[str]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        return sorted(d["adminId"] for d in await self._admins.find({"clientId": client_id}))

    # -- client oauth --------------------------------------------------------

    @staticmethod
    def _oauth_key(client_id: str, platform: str) -> Doc:
        return dict(zip(("clientId", "platform"), oauth_key(client_id, platform), strict=True))

    async def save_oauth(self, client_id: str, platform: str, data: JSONObject) -> ClientOAuth:
        key = self._oauth_key(client_id, platform)
        row = ClientOAuth(key["clientId"], key["platform"], check_payload(data, field="data"))
        await self._require(self._clients, row.client_id, "client_id")
        await self._upsert(self._oauth, key, {"data": encode_payload(row.data)})
        await self._confirm(self._clients, row.client_id, "client_id", lambda: self._oauth.delete_one(key))
        return row

    async def get_oauth(self, client_id: str, platform: str) -> ClientOAuth | None:
        doc = await self._oauth.find_one(self._oauth_key(client_id, platform))
        return None if doc is None else to_oauth(doc)

    async def list_oauth(self, client_id: str) -> list[ClientOAuth]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        return sorted((to_oauth(d) for d in await self._oauth.find({"clientId": client_id})), key=lambda r: r.platform)

    async def delete_oauth(self, client_id: str, platform: str) -> bool:
        return (await self._oauth.delete_one(self._oauth_key(client_id, platform))) == 1

    # -- client campaigns ----------------------------------------------------

    async def save_client_campaign(self, id: str, *, client_id: str, payload: JSONObject) -> ClientCampaign:
        row = new_client_campaign(id, client_id=client_id, payload=payload)
        await self._require(self._clients, row.client_id, "client_id")
        values = {"clientId": row.client_id, "payload": encode_payload(row.payload)}
        await self._upsert(self._client_campaigns, {"_id": row.id}, values)
        await self._confirm(
            self._clients, row.client_id, "client_id",
            lambda: self._client_campaigns.delete_one({"_id": row.id, "clientId": row.client_id}),
        )
        return row

    async def get_client_campaign(self, campaign_id: str) -> ClientCampaign | None:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        doc = await self._client_campaigns.find_one({"_id": campaign_id})
        return None if doc is None else to_client_campaign(doc)

    async def list_client_campaigns(self, client_id: str) -> list[ClientCampaign]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        docs = await self._client_campaigns.find({"clientId": client_id})
        return sorted((to_client_campaign(d) for d in docs), key=lambda r: r.id)

    async def delete_client_campaign(self, campaign_id: str) -> bool:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        return (await self._client_campaigns.delete_one({"_id": campaign_id})) == 1
