"""Defects in cascades: a table forgotten, a reference left dangling, a cascade that is not atomic."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.errors import StorageUnavailable
from adapter_contracts.adapters.memory import MemoryAdapter
from adapter_contracts.adapters.validation import check_key
from adapter_contracts.harness.plugging import adapter_factory
from tests.gallery.support import on_engine_store

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.base import Endpoint


class DeleteUserLeavesIntegrations(MemoryAdapter):
    """delete_user cascades to every child table but user_integrations (no FK there in the MySQL seed)."""

    def delete_user(self, user_id: str) -> bool:
        with self._lock:
            kept = {k: v for k, v in self.store.integrations.items() if k[0] == user_id}
            deleted = super().delete_user(user_id)
            self.store.integrations.update(kept)
            return deleted


class DeleteClientLeavesOAuth(MemoryAdapter):
    """delete_client cascades to every child table but client_oauth."""

    def delete_client(self, client_id: str) -> bool:
        with self._lock:
            kept = {k: v for k, v in self.store.oauth.items() if k[0] == client_id}
            deleted = super().delete_client(client_id)
            self.store.oauth.update(kept)
            return deleted


class BillingAdminNotNulled(MemoryAdapter):
    """Deleting a user keeps billing entries but leaves their admin_id dangling (Mongo has no SET NULL)."""

    def delete_user(self, user_id: str) -> bool:
        with self._lock:
            dangling = {seq: e.admin_id for seq, e in self.store.billing.items() if e.admin_id == user_id}
            deleted = super().delete_user(user_id)
            for seq, admin_id in dangling.items():
                self.store.billing[seq] = replace(self.store.billing[seq], admin_id=admin_id)
            return deleted


class CascadeNotAtomic(MemoryAdapter):
    """delete_user removes the parent first, then the children, in separate steps.

    The connection dies between the steps (simulated: every cascade with children
    is cut there), so the caller sees StorageUnavailable and retries -- and the
    retry finds no user, returns False, and the children stay behind as orphans.
    """

    def delete_user(self, user_id: str) -> bool:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        s = self.store
        with self._lock:
            if s.users.pop(user_id, None) is None:
                return False
            has_children = (
                user_id in s.setups or user_id in s.workspaces
                or any(k[0] == user_id for k in s.integrations)
                or any(c.user_id == user_id for c in s.campaigns.values())
                or any(a == user_id for a, _ in s.admin_links)
            )
        if has_children:
            raise StorageUnavailable("connection lost between deleting the user and its children")
        return True


@adapter_factory(engine="memory")
def delete_user_leaves_integrations(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(DeleteUserLeavesIntegrations, endpoint)


@adapter_factory(engine="memory")
def delete_client_leaves_oauth(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(DeleteClientLeavesOAuth, endpoint)


@adapter_factory(engine="memory")
def billing_admin_not_nulled(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(BillingAdminNotNulled, endpoint)


@adapter_factory(engine="memory")
def cascade_not_atomic(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(CascadeNotAtomic, endpoint)
