"""The shared storage of the reference adapter, and what every part of the adapter reads it through."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import MissingReference
from adapter_contracts.adapters.records import (
    BillingEntry,
    Campaign,
    Client,
    ClientCampaign,
    ClientOAuth,
    User,
    UserIntegration,
    UserSetup,
    UserWorkspace,
)


@dataclass
class MemoryStore:
    """The shared storage behind one or more :class:`MemoryAdapter` instances."""

    users: dict[str, User] = field(default_factory=dict)
    setups: dict[str, UserSetup] = field(default_factory=dict)
    workspaces: dict[str, UserWorkspace] = field(default_factory=dict)
    integrations: dict[tuple[str, str, str], UserIntegration] = field(default_factory=dict)
    campaigns: dict[str, Campaign] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    admin_links: set[tuple[str, str]] = field(default_factory=set)
    oauth: dict[tuple[str, str], ClientOAuth] = field(default_factory=dict)
    client_campaigns: dict[str, ClientCampaign] = field(default_factory=dict)
    billing: dict[int, BillingEntry] = field(default_factory=dict)
    next_seq: int = 1
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    def clear(self) -> None:
        with self.lock:
            for table in (
                self.users, self.setups, self.workspaces, self.integrations, self.campaigns,
                self.clients, self.oauth, self.client_campaigns, self.billing,
            ):
                table.clear()
            self.admin_links.clear()

    def row_counts(self) -> dict[str, int]:
        """Rows per entity, for the harness's raw snapshots."""
        with self.lock:
            return {
                "users": len(self.users),
                "user_setup": len(self.setups),
                "user_workspace": len(self.workspaces),
                "user_integrations": len(self.integrations),
                "campaigns": len(self.campaigns),
                "clients": len(self.clients),
                "admin_clients": len(self.admin_links),
                "client_oauth": len(self.oauth),
                "client_campaigns": len(self.client_campaigns),
                "client_billing": len(self.billing),
            }


class StoreHandle(Adapter):
    """An adapter's handle on a :class:`MemoryStore` (a fresh one by default), guarded by the store's lock."""

    def __init__(self, store: MemoryStore | None = None) -> None:
        self.store = store if store is not None else MemoryStore()
        self._lock = self.store.lock

    def create_schema(self) -> None:
        """Nothing to create: the store's dicts are the schema."""

    def close(self) -> None:
        """Nothing to release: the store outlives its adapters."""

    def _require_user(self, user_id: str, field: str = "user_id") -> None:
        if user_id not in self.store.users:
            raise MissingReference(field)

    def _require_client(self, client_id: str, field: str = "client_id") -> None:
        if client_id not in self.store.clients:
            raise MissingReference(field)
