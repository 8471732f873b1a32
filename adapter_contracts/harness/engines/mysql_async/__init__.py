"""MySQL/MariaDB through an asyncio adapter: the ``mysql`` engine's storage, run against ``AsyncMySQLAdapter``.

Everything but the adapter is the sync engine's (provisioning, the raw reset and
snapshot, the introspection, the canonical layout, faults): this class only
makes the built-in async adapter, on an event loop of its own behind the
harness's bridge.  It takes ``--mysql-dsn`` and ``--mysql-image`` (its twin's).
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from adapter_contracts.harness.engines.mysql import MySQLEngine

if TYPE_CHECKING:
    from adapter_contracts.adapters.base import Adapter
    from adapter_contracts.harness.config import HarnessConfig
    from adapter_contracts.harness.engines.base import Endpoint

__all__ = ["AsyncMySQLEngine"]


class AsyncMySQLEngine(MySQLEngine):
    id = "mysql-async"
    label = "MySQL / MariaDB (asyncio, aiomysql)"
    flavour = "async"
    twin = "mysql"
    # PyMySQL stays: the engine's own provisioning, reset and snapshot are the sync engine's.
    drivers: ClassVar[tuple[str, ...]] = (*MySQLEngine.drivers, "aiomysql")  # type: ignore[assignment]

    def start(self, provider: str, config: HarnessConfig, stack: ExitStack) -> Endpoint:
        import aiomysql

        endpoint = super().start(provider, config, stack)
        return replace(endpoint, driver=f"aiomysql {aiomysql.__version__}")

    def make_adapter(self, endpoint: Endpoint) -> Adapter:
        from adapter_contracts.adapters.mysql_async import AsyncMySQLAdapter
        from adapter_contracts.harness.bridge import open_bridge

        return open_bridge(lambda: AsyncMySQLAdapter.from_url(endpoint.dsn), "AsyncMySQLAdapter")
