"""The MySQL/MariaDB engine: a given server (dsn), a container, or a throwaway local server.

Whatever the provider, the harness works in a database it creates itself
(``contract_<hex>``) and drops at the end; it never touches another database.
This module holds the engine's facts and imports no driver: PyMySQL is imported
by :mod:`.provisioning`, :mod:`.storage` and :mod:`.introspection`, when the
engine starts.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qs, unquote, urlsplit

from adapter_contracts.harness.engines.base import Endpoint, Layout, ServerFacts, StorageEngine
from adapter_contracts.harness.provision.common import ProvisionUnavailable, scrub
from adapter_contracts.harness.provision.local import LocalServerSpec

if TYPE_CHECKING:
    from adapter_contracts.adapters.base import Adapter
    from adapter_contracts.harness.config import HarnessConfig
    from adapter_contracts.harness.engines.mysql.provisioning import MySQLServer
    from adapter_contracts.harness.faults import FaultInjector

__all__ = ["SERVER_DIRS", "MySQLEngine"]

SERVER_DIRS = ("/usr/sbin", "/usr/local/mysql/bin", "/usr/local/bin")


class MySQLEngine(StorageEngine):
    id = "mysql"
    label = "MySQL/MariaDB"
    providers = ("dsn", "container", "local")
    supports_faults = True
    layout: ClassVar[Layout | None] = Layout("mysql", "adapter_contracts.adapters", "sql/mysql.schema.json")
    drivers = ("pymysql",)
    server = ServerFacts(
        dsn_example="mysql://user:pass@host:port", version_example="mysql-8.4, mysql-mariadb-11.8",
        default_image="mysql:8.0", image_data_dir="/var/lib/mysql", image_names=("mysql",),
        local=LocalServerSpec(binaries=("mariadbd", "mysqld"), search_dirs=SERVER_DIRS,
                              workdir_prefix="contract-mysql-", accounts=("mysql",), pid_files=("mysqld.pid",),
                              log="error.log"),
        schemes=("mysql", "mariadb"),
    )

    fault_texts: ClassVar[dict[str, str]] = {
        "(1021,": "disk full", "(1114,": "table full (disk or size limit)", "no space left on device": "disk full",
        "(1290,": "read-only (the server runs with --read-only)", "(1836,": "read-only",
        "(1037,": "out of memory", "(1041,": "out of memory", "(1053,": "server shutting down",
        # PyMySQL's read_timeout: the session got no answer within the bound.
        "lost connection to mysql server during query (timed out)":
            "server stopped answering (a session got no answer within the bound)",
    }

    def __init__(self) -> None:
        super().__init__()
        self._server: MySQLServer | None = None  # the throwaway server, when this engine started one

    # -- provisioning ----------------------------------------------------------

    def start(self, provider: str, config: HarnessConfig, stack: ExitStack) -> Endpoint:
        from adapter_contracts.harness.engines.mysql import provisioning
        from adapter_contracts.harness.engines.mysql.storage import RawStorage

        existing: str | None = None
        try:
            if provider == "dsn":
                dsn = config.dsns.get(self.id)
                if not dsn:
                    raise ProvisionUnavailable(self.no_dsn())
                address, named = provisioning.parse_mysql_dsn(dsn)
                if config.dsn_database == "existing":
                    if not named:
                        raise ProvisionUnavailable("--dsn-database=existing, but the --mysql-dsn names no database")
                    existing = named
            elif provider == "container":
                address = provisioning.container(self, stack, config.startup_timeout, config.container_network)
            elif provider == "local":
                self._server = provisioning.local_server(self, stack, config.startup_timeout, seeds=config.local_seeds)
                stack.callback(setattr, self, "_server", None)
                address = self._server.address
            else:
                raise ProvisionUnavailable(f"unknown provider {provider!r}")
            address = replace(address, timeout=config.server_timeout)
            server_owned = provider != "dsn"
            if existing is not None:
                database, version = existing, provisioning.claim(self, address, existing, config.allow_wipe)
            else:
                database, version = provisioning.own_database(self, address, stack, guard=not server_owned)
            storage = RawStorage(address, database, self)
            stack.callback(storage.close)
            self.conditions, self.conditions_unmet = storage.conditions(
                server_owned=server_owned, created=existing is None)
        except ProvisionUnavailable as exc:
            # Driver messages may quote credentials: mask the password, drop the chained driver error.
            raise type(exc)(scrub(str(exc), config.dsns.values())) from None
        self._storage = storage
        stack.callback(setattr, self, "_storage", None)
        return Endpoint(engine=self.id, provider=provider, dsn=address.dsn(database), database=database,
                        server_version=version, driver=provisioning.driver(), timeout=config.server_timeout)

    def make_adapter(self, endpoint: Endpoint) -> Adapter:
        from adapter_contracts.adapters.mysql import MySQLAdapter

        return MySQLAdapter.from_url(endpoint.dsn, timeout=endpoint.timeout)

    def server_fault(self, exc: BaseException) -> str | None:
        from adapter_contracts.harness.engines.mysql.diagnosis import server_fault

        return server_fault(exc)

    def health(self) -> str | None:
        from adapter_contracts.harness.engines.mysql.diagnosis import health
        from adapter_contracts.harness.engines.mysql.storage import RawStorage

        storage = self._raw()
        assert isinstance(storage, RawStorage)
        return health(storage)

    def fault_injector(self, endpoint: Endpoint) -> FaultInjector | None:
        from adapter_contracts.harness.faults import FaultInjector, FaultProxy

        parts = urlsplit(endpoint.dsn)
        if "unix_socket" in parse_qs(parts.query) or not parts.hostname:
            return None  # no TCP link to put a proxy on
        proxy = FaultProxy(parts.hostname, parts.port or 3306)
        auth = parts.netloc.rpartition("@")[0]
        netloc = f"{auth}@127.0.0.1:{proxy.port}" if auth else f"127.0.0.1:{proxy.port}"
        server = self._server if endpoint.provider == "local" else None
        return FaultInjector(proxy, replace(endpoint, dsn=parts._replace(netloc=netloc).geturl()), server)

    # -- the live schema -------------------------------------------------------------

    def introspect(self, endpoint: Endpoint) -> dict[str, Any]:
        from adapter_contracts.harness.engines.mysql.introspection import introspect_dsn

        return introspect_dsn(endpoint.dsn, endpoint.database or None)

    def database_of(self, dsn: str) -> str:
        return unquote(urlsplit(dsn).path.lstrip("/"))
