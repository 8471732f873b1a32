"""The in-memory reference engine: always available, no provisioning."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.memory import MemoryAdapter, MemoryStore
from adapter_contracts.harness.config import HarnessConfig
from adapter_contracts.harness.engines.base import Backend, Endpoint


class MemoryBackend(Backend):
    id = "memory"
    label = "in-memory reference"
    providers = ("memory",)

    def __init__(self) -> None:
        super().__init__()
        self.store = MemoryStore()

    def start(self, provider: str, config: HarnessConfig, stack: ExitStack) -> Endpoint:
        return Endpoint(
            engine=self.id, provider=provider, dsn="memory://", database="memory",
            server_version="reference model", driver="python", extra={"store": self.store},
        )

    def make_adapter(self, endpoint: Endpoint) -> Adapter:
        return MemoryAdapter(self.store)

    def reset(self) -> None:
        self.store.clear()

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        s = self.store
        with s.lock:
            tables: dict[str, list[Any]] = {
                "users": list(s.users.values()),
                "user_setup": list(s.setups.values()),
                "user_workspace": list(s.workspaces.values()),
                "user_integrations": list(s.integrations.values()),
                "campaigns": list(s.campaigns.values()),
                "clients": list(s.clients.values()),
                "admin_clients": list(s.admin_links),
                "client_oauth": list(s.oauth.values()),
                "client_campaigns": list(s.client_campaigns.values()),
                "client_billing": list(s.billing.values()),
            }
            return {name: sorted((repr(row),) for row in rows) for name, rows in tables.items()}
