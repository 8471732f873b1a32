"""The in-memory reference engine: always available, no provisioning."""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from adapter_contracts.harness.engines.base import Endpoint, Engine

if TYPE_CHECKING:
    from adapter_contracts.adapters.base import Adapter
    from adapter_contracts.harness.config import HarnessConfig

__all__ = ["MemoryEngine"]


class MemoryEngine(Engine):
    id = "memory"
    label = "in-memory reference"
    providers = ("memory",)
    reference = True

    def __init__(self) -> None:
        # The reference adapter is imported with the engine object, not with the registry.
        from adapter_contracts.adapters.memory import MemoryStore

        super().__init__()
        self.store = MemoryStore()

    def start(self, provider: str, config: HarnessConfig, stack: ExitStack) -> Endpoint:
        return Endpoint(
            engine=self.id, provider=provider, dsn="memory://", database="memory",
            server_version="reference model", driver="python", extra={"store": self.store},
        )

    def make_adapter(self, endpoint: Endpoint) -> Adapter:
        from adapter_contracts.adapters.memory import MemoryAdapter

        return MemoryAdapter(endpoint.extra.get("store", self.store))

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
