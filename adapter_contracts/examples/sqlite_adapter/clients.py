"""Clients and what a client owns: admin links, oauth rows, client campaigns."""

from __future__ import annotations

from datetime import datetime

from adapter_contracts import (
    Client,
    ClientCampaign,
    ClientOAuth,
    Conflict,
    JSONObject,
    NotFound,
    Page,
    check_key,
    check_limit,
    check_payload,
    dumps_payload,
    epoch_ms,
    limits,
    new_client,
    new_client_campaign,
)

from .codecs import to_client, to_client_campaign, to_oauth
from .connection import SQLiteConnection


class ClientMethods(SQLiteConnection):
    """The clients and what they own."""

    # -- clients -------------------------------------------------------------

    _CLIENT = "SELECT id, created_at, payload FROM clients"

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
        return None if row is None else to_client(row)

    def update_client(self, client_id: str, payload: JSONObject) -> Client:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        payload = check_payload(payload, field="payload")
        with self._write() as conn:
            if conn.execute(
                "UPDATE clients SET payload = ? WHERE id = ?", (dumps_payload(payload), client_id)
            ).rowcount == 0:
                raise NotFound("client", client_id)
            row = conn.execute(self._CLIENT + " WHERE id = ?", (client_id,)).fetchone()
        return to_client(row)

    def delete_client(self, client_id: str) -> bool:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        # ON DELETE CASCADE removes admin links, oauth rows, client campaigns and billing.
        with self._write() as conn:
            return conn.execute("DELETE FROM clients WHERE id = ?", (client_id,)).rowcount > 0

    def list_clients(self, *, limit: int | None = None, after: str | None = None) -> Page[Client]:
        limit = check_limit(limit)
        return self._keyset_page(
            self._CLIENT + " WHERE 1", [], ("created_at", "id"), "clients", (int, str), limit, after,
            to_client, lambda c: (epoch_ms(c.created_at), c.id),
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
        return None if row is None else to_oauth(row)

    def list_oauth(self, client_id: str) -> list[ClientOAuth]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        rows = self._all(self._OAUTH + " WHERE client_id = ? ORDER BY platform", (client_id,))
        return [to_oauth(r) for r in rows]

    def delete_oauth(self, client_id: str, platform: str) -> bool:
        key = self._oauth_key(client_id, platform)
        with self._write() as conn:
            return conn.execute("DELETE FROM client_oauth WHERE client_id = ? AND platform = ?", key).rowcount > 0

    # -- client campaigns ----------------------------------------------------

    _CLIENT_CAMPAIGN = "SELECT id, client_id, payload FROM client_campaigns"

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
        return None if row is None else to_client_campaign(row)

    def list_client_campaigns(self, client_id: str) -> list[ClientCampaign]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        rows = self._all(self._CLIENT_CAMPAIGN + " WHERE client_id = ? ORDER BY id", (client_id,))
        return [to_client_campaign(r) for r in rows]

    def delete_client_campaign(self, campaign_id: str) -> bool:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        with self._write() as conn:
            return conn.execute("DELETE FROM client_campaigns WHERE id = ?", (campaign_id,)).rowcount > 0
