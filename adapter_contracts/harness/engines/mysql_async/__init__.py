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

    def open_transactions(self, endpoint: Endpoint) -> int:
        """Sessions on the endpoint's database other than this probe's with an open InnoDB transaction
        (the async contracts' check that a cancelled operation left none open)."""
        from adapter_contracts.harness.engines.mysql.provisioning import parse_mysql_dsn

        address, _ = parse_mysql_dsn(endpoint.dsn)
        conn = replace(address, timeout=endpoint.timeout).connect()
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT COUNT(*) FROM information_schema.innodb_trx t JOIN information_schema.processlist p"
                            " ON t.trx_mysql_thread_id = p.id WHERE p.db = %s AND p.id <> CONNECTION_ID()",
                            (endpoint.database,))
                row = cur.fetchone()
        finally:
            conn.close()
        return int(row[0]) if row else 0

    def make_adapter(self, endpoint: Endpoint) -> Adapter:
        from adapter_contracts.adapters.mysql_async import AsyncMySQLAdapter
        from adapter_contracts.harness.bridge import open_bridge

        return open_bridge(lambda: AsyncMySQLAdapter.from_url(endpoint.dsn, timeout=endpoint.timeout),
                           "AsyncMySQLAdapter")
