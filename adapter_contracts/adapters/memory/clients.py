"""Clients and what a client owns: admin links, oauth rows, client campaigns."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.cursor import created_key
from adapter_contracts.adapters.errors import Conflict, NotFound
from adapter_contracts.adapters.inputs import link_key, new_client, new_client_campaign, oauth_key
from adapter_contracts.adapters.memory.codecs import payload_copy
from adapter_contracts.adapters.memory.paging import page_of
from adapter_contracts.adapters.memory.store import StoreHandle
from adapter_contracts.adapters.records import Client, ClientCampaign, ClientOAuth, JSONObject, Page
from adapter_contracts.adapters.validation import check_key, check_limit, check_payload


class ClientMethods(StoreHandle):
    """The clients and what they own, over the store."""

    # -- clients -------------------------------------------------------------

    def create_client(
        self, *, payload: JSONObject, id: str | None = None, created_at: datetime | None = None
    ) -> Client:
        row = new_client(payload=payload, id=id, created_at=created_at)
        with self._lock:
            if row.id in self.store.clients:
                raise Conflict("id")
            self.store.clients[row.id] = row
            return payload_copy(row)

    def get_client(self, client_id: str) -> Client | None:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        with self._lock:
            return payload_copy(self.store.clients.get(client_id))

    def update_client(self, client_id: str, payload: JSONObject) -> Client:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        payload = check_payload(payload, field="payload")
        with self._lock:
            row = self.store.clients.get(client_id)
            if row is None:
                raise NotFound("client", client_id)
            row = replace(row, payload=payload)
            self.store.clients[client_id] = row
            return payload_copy(row)

    def delete_client(self, client_id: str) -> bool:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        s = self.store
        with self._lock:
            if s.clients.pop(client_id, None) is None:
                return False
            s.admin_links = {link for link in s.admin_links if link[1] != client_id}
            for key in [k for k in s.oauth if k[0] == client_id]:
                del s.oauth[key]
            for cid in [c.id for c in s.client_campaigns.values() if c.client_id == client_id]:
                del s.client_campaigns[cid]
            for seq in [q for q, e in s.billing.items() if e.client_id == client_id]:
                del s.billing[seq]
            return True

    def list_clients(self, *, limit: int | None = None, after: str | None = None) -> Page[Client]:
        limit = check_limit(limit)
        with self._lock:
            rows = list(self.store.clients.values())
            return page_of(rows, created_key, "clients", limit, after, (int, str))

    # -- admin links ---------------------------------------------------------

    def link_admin(self, admin_id: str, client_id: str) -> bool:
        key = link_key(admin_id, client_id)
        with self._lock:
            self._require_user(key[0], "admin_id")
            self._require_client(key[1])
            if key in self.store.admin_links:
                return False
            self.store.admin_links.add(key)
            return True

    def unlink_admin(self, admin_id: str, client_id: str) -> bool:
        key = link_key(admin_id, client_id)
        with self._lock:
            if key not in self.store.admin_links:
                return False
            self.store.admin_links.discard(key)
            return True

    def list_admin_clients(self, admin_id: str) -> list[str]:
        admin_id = check_key(admin_id, field="admin_id", max_len=limits.USER_ID_MAX)
        with self._lock:
            return sorted(c for a, c in self.store.admin_links if a == admin_id)

    def list_client_admins(self, client_id: str) -> list[str]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        with self._lock:
            return sorted(a for a, c in self.store.admin_links if c == client_id)

    # -- client oauth --------------------------------------------------------

    def save_oauth(self, client_id: str, platform: str, data: JSONObject) -> ClientOAuth:
        key = oauth_key(client_id, platform)
        row = ClientOAuth(*key, data=check_payload(data, field="data"))
        with self._lock:
            self._require_client(row.client_id)
            self.store.oauth[key] = row
            return payload_copy(row)

    def get_oauth(self, client_id: str, platform: str) -> ClientOAuth | None:
        key = oauth_key(client_id, platform)
        with self._lock:
            return payload_copy(self.store.oauth.get(key))

    def list_oauth(self, client_id: str) -> list[ClientOAuth]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        with self._lock:
            rows = [r for r in self.store.oauth.values() if r.client_id == client_id]
            return [payload_copy(r) for r in sorted(rows, key=lambda r: r.platform)]

    def delete_oauth(self, client_id: str, platform: str) -> bool:
        key = oauth_key(client_id, platform)
        with self._lock:
            return self.store.oauth.pop(key, None) is not None

    # -- client campaigns ----------------------------------------------------

    def save_client_campaign(self, id: str, *, client_id: str, payload: JSONObject) -> ClientCampaign:
        row = new_client_campaign(id, client_id=client_id, payload=payload)
        with self._lock:
            self._require_client(row.client_id)
            self.store.client_campaigns[row.id] = row
            return payload_copy(row)

    def get_client_campaign(self, campaign_id: str) -> ClientCampaign | None:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        with self._lock:
            return payload_copy(self.store.client_campaigns.get(campaign_id))

    def list_client_campaigns(self, client_id: str) -> list[ClientCampaign]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        with self._lock:
            rows = [r for r in self.store.client_campaigns.values() if r.client_id == client_id]
            return [payload_copy(r) for r in sorted(rows, key=lambda r: r.id)]

    def delete_client_campaign(self, campaign_id: str) -> bool:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        with self._lock:
            return self.store.client_campaigns.pop(campaign_id, None) is not None
