"""PostgreSQL through an asyncio adapter: the ``postgres`` engine's storage, run against ``AsyncPostgresAdapter``.

Everything but the adapter is the sync engine's (provisioning, the raw reset and
snapshot, the introspection, the canonical layout, faults): this class only
makes the built-in async adapter, on an event loop of its own behind the
harness's bridge, and says that its engine is async (:attr:`Engine.flavour`).
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from adapter_contracts.harness.engines.postgres import PostgresEngine

if TYPE_CHECKING:
    from adapter_contracts.adapters.base import Adapter
    from adapter_contracts.harness.config import HarnessConfig
    from adapter_contracts.harness.engines.base import Endpoint

__all__ = ["AsyncPostgresEngine"]


class AsyncPostgresEngine(PostgresEngine):
    id = "postgres-async"
    label = "PostgreSQL (asyncio, asyncpg)"
    flavour = "async"
    twin = "postgres"
    # psycopg stays: the engine's own provisioning, reset and snapshot are the sync engine's.
    drivers: ClassVar[tuple[str, ...]] = ("psycopg", "asyncpg")  # type: ignore[assignment]

    def start(self, provider: str, config: HarnessConfig, stack: ExitStack) -> Endpoint:
        import asyncpg

        endpoint = super().start(provider, config, stack)
        return replace(endpoint, driver=f"asyncpg {asyncpg.__version__}")

    def open_transactions(self, endpoint: Endpoint) -> int:
        """Sessions of the endpoint's database other than this probe's that sit inside a transaction
        (the async contracts' check that a cancelled operation left none open)."""
        from adapter_contracts.adapters.postgres.bounds import bounded_connect

        with bounded_connect(endpoint.dsn, endpoint.timeout) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND (state LIKE 'idle in transaction%%' OR (state = 'active' AND xact_start IS NOT NULL"
                " AND now() - xact_start > interval '5 seconds'))").fetchone()
        return int(row[0]) if row else 0

    def make_adapter(self, endpoint: Endpoint) -> Adapter:
        from adapter_contracts.adapters.postgres_async import AsyncPostgresAdapter
        from adapter_contracts.harness.bridge import open_bridge

        return open_bridge(lambda: AsyncPostgresAdapter(endpoint.dsn, timeout=endpoint.timeout),
                           "AsyncPostgresAdapter")
