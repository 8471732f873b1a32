"""PostgreSQL for the harness: a database of our own on a given server, a container, or a throwaway server.

This module holds the engine's facts and imports no driver; psycopg is
imported by the modules that use it (:mod:`.provisioning`, :mod:`.storage`,
:mod:`.introspection`), when the engine starts.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from adapter_contracts.harness.engines.base import Endpoint, Layout, ServerFacts, StorageEngine
from adapter_contracts.harness.provision.common import ProvisionUnavailable, scrub, wait_until
from adapter_contracts.harness.provision.local import LocalServerSpec

if TYPE_CHECKING:
    from adapter_contracts.adapters.base import Adapter
    from adapter_contracts.harness.config import HarnessConfig
    from adapter_contracts.harness.engines.postgres.provisioning import PostgresServer
    from adapter_contracts.harness.faults import FaultInjector

__all__ = ["PG_BIN_DIRS", "PostgresEngine"]

PG_BIN_DIRS = (
    "/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin", "/usr/pgsql-*/bin", "/opt/homebrew/opt/postgresql*/bin",
)


class PostgresEngine(StorageEngine):
    id = "postgres"
    label = "PostgreSQL"
    providers = ("dsn", "container", "local")
    supports_faults = True
    layout: ClassVar[Layout | None] = Layout("postgres", "adapter_contracts.adapters", "sql/postgres.schema.json")
    drivers = ("psycopg",)
    server = ServerFacts(
        dsn_example="postgresql://user:pass@host:5432/postgres", version_example="postgres-17",
        default_image="postgres:16-alpine", image_data_dir="/var/lib/postgresql/data",
        image_names=("postgres", "postgresql"),
        local=LocalServerSpec(binaries=("initdb",), search_dirs=PG_BIN_DIRS, workdir_prefix="contract-pg-",
                              accounts=("postgres",), pid_files=("data/postmaster.pid",), log="server.log"),
        schemes=("postgresql", "postgres"), multi_host=True, key_value=True,
    )

    @classmethod
    def key_value_problem(cls, dsn: str) -> str | None:
        try:
            from psycopg.conninfo import conninfo_to_dict
        except ImportError:  # the engine says so at provisioning
            return None
        try:
            conninfo_to_dict(dsn)
        except Exception:  # noqa: BLE001 - its message quotes the DSN, password and all
            return "the key=value DSN does not parse (a value holding spaces or quotes must be single-quoted)"
        return None

    fault_texts: ClassVar[dict[str, str]] = {
        "no space left on device": "disk full", "could not extend file": "disk full",
        "cannot execute insert in a read-only transaction": "read-only",
        "cannot execute update in a read-only transaction": "read-only",
        "cannot execute delete in a read-only transaction": "read-only",
        "out of memory": "out of memory", "the database system is shutting down": "server shutting down",
        "the database system is starting up": "server starting up",
        "terminating connection due to administrator command": "connection ended by the server's administrator",
        # psycopg's own deadline (adapters/postgres/bounds.py): a backend that stopped answering while
        # the postmaster still accepts connections (so the harness's fresh reads work).
        "did not answer within": "server stopped answering (a session got no answer within the bound)",
    }

    def __init__(self) -> None:
        super().__init__()
        self._server: PostgresServer | None = None  # the throwaway server, when this engine started one

    # -- provisioning --------------------------------------------------------

    def start(self, provider: str, config: HarnessConfig, stack: ExitStack) -> Endpoint:
        import psycopg

        from adapter_contracts.harness.engines.postgres import provisioning
        from adapter_contracts.harness.engines.postgres.storage import RawStorage

        timeout = config.startup_timeout
        try:
            if provider == "dsn" and config.dsn_database == "existing":
                dsn, database = provisioning.existing_database(self, config)
            elif provider == "dsn":
                dsn, database = provisioning.own_database(self, config, stack)
            elif provider == "container":
                dsn, database = provisioning.container(self, stack, timeout, config.container_network)
            elif provider == "local":
                self._server = provisioning.local_server(self, stack, timeout, seeds=config.local_seeds)
                stack.callback(setattr, self, "_server", None)
                dsn, database = self._server.database_dsn, "contract"
            else:
                raise ProvisionUnavailable(f"unknown provider {provider!r}")
            # The engine's own connection, for reset and snapshot; the adapter lays out its own schema.
            storage = RawStorage(dsn, self, config.server_timeout)
            stack.callback(storage.close)
            version = wait_until(storage.server_version, timeout=timeout, what="PostgreSQL connection")
            self.conditions, self.conditions_unmet = storage.conditions(
                created=not (provider == "dsn" and config.dsn_database == "existing"))
        except ProvisionUnavailable as exc:
            # Driver messages may quote the DSN: mask its password, drop the chained driver error.
            raise type(exc)(scrub(str(exc), config.dsns.values())) from None
        self._storage = storage
        stack.callback(setattr, self, "_storage", None)
        return Endpoint(
            engine=self.id, provider=provider, dsn=dsn, database=database,
            server_version=f"PostgreSQL {version}", driver=f"psycopg {psycopg.__version__}",
            timeout=config.server_timeout,
        )

    def make_adapter(self, endpoint: Endpoint) -> Adapter:
        from adapter_contracts.adapters.postgres import PostgresAdapter

        return PostgresAdapter(endpoint.dsn, timeout=endpoint.timeout)

    def server_fault(self, exc: BaseException) -> str | None:
        from adapter_contracts.harness.engines.postgres.diagnosis import server_fault

        return server_fault(exc)

    def health(self) -> str | None:
        from adapter_contracts.harness.engines.postgres.diagnosis import health
        from adapter_contracts.harness.engines.postgres.storage import RawStorage

        storage = self._raw()
        assert isinstance(storage, RawStorage)
        return health(storage)

    def fault_injector(self, endpoint: Endpoint) -> FaultInjector | None:
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        from adapter_contracts.harness.faults import FaultInjector, FaultProxy

        params = conninfo_to_dict(endpoint.dsn)
        host = str(params.get("hostaddr") or params.get("host") or "")
        if not host or host.startswith("/") or "," in host:
            return None  # a Unix socket or several hosts: no single TCP link to put a proxy on
        proxy = FaultProxy(host, int(str(params.get("port") or 5432)))
        # hostaddr reroutes the TCP link while host still names the server for TLS verification.
        proxied = make_conninfo(endpoint.dsn, hostaddr="127.0.0.1", port=str(proxy.port))
        server = self._server if endpoint.provider == "local" else None
        return FaultInjector(proxy, replace(endpoint, dsn=proxied), server)

    # -- the live schema -------------------------------------------------------------

    def introspect(self, endpoint: Endpoint) -> dict[str, Any]:
        from adapter_contracts.harness.engines.postgres.introspection import introspect_dsn

        return introspect_dsn(endpoint.dsn)

    def database_of(self, dsn: str) -> str:
        from psycopg.conninfo import conninfo_to_dict

        return str(conninfo_to_dict(dsn).get("dbname") or "")
