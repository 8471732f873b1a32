"""Defects in JSON payload handling: keys dropped, merge instead of replace, shared mutable state."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.memory import MemoryAdapter
from adapter_contracts.adapters.records import (
    Campaign,
    Client,
    ClientCampaign,
    ClientOAuth,
    JSONObject,
    UserIntegration,
    UserSetup,
    UserWorkspace,
)
from adapter_contracts.adapters.validation import check_key
from adapter_contracts.harness.plugging import adapter_factory
from tests.gallery.support import on_engine_store

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.base import Endpoint


def _without_operators(value: Any) -> Any:
    """Drop every object key starting with "$" -- a sanitiser written against query injection."""
    if isinstance(value, dict):
        return {k: _without_operators(v) for k, v in value.items() if not (isinstance(k, str) and k.startswith("$"))}
    if isinstance(value, list):
        return [_without_operators(v) for v in value]
    return value


class DropsDollarKeys(MemoryAdapter):
    """Payload keys starting with "$" are silently removed before storing."""

    def save_user_setup(self, user_id: str, *, is_setup_complete: bool, completed_at: datetime | None = None,
                        setup_data: JSONObject | None = None) -> UserSetup:
        return super().save_user_setup(user_id, is_setup_complete=is_setup_complete, completed_at=completed_at,
                                       setup_data=_without_operators(setup_data))

    def save_user_workspace(self, user_id: str, workspace: JSONObject) -> UserWorkspace:
        return super().save_user_workspace(user_id, _without_operators(workspace))

    def save_integration(self, user_id: str, category: str, provider: str, data: JSONObject) -> UserIntegration:
        return super().save_integration(user_id, category, provider, _without_operators(data))

    def create_campaign(self, *, user_id: str, payload: JSONObject, id: str | None = None,
                        created_at: datetime | None = None) -> Campaign:
        return super().create_campaign(user_id=user_id, payload=_without_operators(payload), id=id,
                                       created_at=created_at)

    def update_campaign(self, campaign_id: str, payload: JSONObject) -> Campaign:
        return super().update_campaign(campaign_id, _without_operators(payload))

    def create_client(self, *, payload: JSONObject, id: str | None = None,
                      created_at: datetime | None = None) -> Client:
        return super().create_client(payload=_without_operators(payload), id=id, created_at=created_at)

    def update_client(self, client_id: str, payload: JSONObject) -> Client:
        return super().update_client(client_id, _without_operators(payload))

    def save_oauth(self, client_id: str, platform: str, data: JSONObject) -> ClientOAuth:
        return super().save_oauth(client_id, platform, _without_operators(data))

    def save_client_campaign(self, id: str, *, client_id: str, payload: JSONObject) -> ClientCampaign:
        return super().save_client_campaign(id, client_id=client_id, payload=_without_operators(payload))


def _merged(old: JSONObject | None, new: Any) -> Any:
    return {**old, **new} if isinstance(old, dict) and isinstance(new, dict) else new


class UpdateMergesPayload(MemoryAdapter):
    """update_campaign / update_client merge the new payload into the old one ($set per key) instead of replacing."""

    def update_campaign(self, campaign_id: str, payload: JSONObject) -> Campaign:
        with self._lock:
            old = self.store.campaigns.get(campaign_id) if isinstance(campaign_id, str) else None
            return super().update_campaign(campaign_id, _merged(old.payload if old else None, payload))

    def update_client(self, client_id: str, payload: JSONObject) -> Client:
        with self._lock:
            old = self.store.clients.get(client_id) if isinstance(client_id, str) else None
            return super().update_client(client_id, _merged(old.payload if old else None, payload))


class ReturnsStoredPayload(MemoryAdapter):
    """get_campaign / get_client hand out the stored record itself (a "no-copy" optimisation):
    a caller mutating the returned payload changes what is stored."""

    def get_campaign(self, campaign_id: str) -> Campaign | None:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        with self._lock:
            return self.store.campaigns.get(campaign_id)

    def get_client(self, client_id: str) -> Client | None:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        with self._lock:
            return self.store.clients.get(client_id)


@adapter_factory(engine="memory")
def drops_dollar_keys(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(DropsDollarKeys, endpoint)


@adapter_factory(engine="memory")
def update_merges_payload(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(UpdateMergesPayload, endpoint)


@adapter_factory(engine="memory")
def returns_stored_payload(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(ReturnsStoredPayload, endpoint)
