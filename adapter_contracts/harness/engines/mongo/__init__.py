"""MongoDB for the harness: a real server (dsn, container, local mongod); its stand-in is :mod:`.standin`.

Whatever the provider, the harness works in a database it creates itself
(``contract_<hex>``, holding its owner record), which the watchdog drops after
a SIGKILL and the next run sweeps if even the watchdog died, as on the SQL
engines.  This module holds the engine's facts and imports no driver: pymongo
is imported by :mod:`.provisioning` when the engine starts.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING, Any, ClassVar

from adapter_contracts.harness.engines.base import Endpoint, Engine, Layout, ServerFacts
from adapter_contracts.harness.provision.common import ProvisionUnavailable
from adapter_contracts.harness.provision.local import LocalServerSpec

if TYPE_CHECKING:
    from adapter_contracts.adapters.base import Adapter
    from adapter_contracts.harness.config import HarnessConfig

__all__ = ["LAYOUT", "MONGOD_DIRS", "MongoEngine"]

#: Where a mongod may live besides PATH (tarball installs, distro packages).
MONGOD_DIRS: tuple[str, ...] = ("/usr/bin", "/usr/local/bin", "/opt/mongodb*/bin", "/usr/local/mongodb*/bin")
#: The canonical layout, shared with the stand-in.
LAYOUT = Layout("mongo", "adapter_contracts.adapters", "mongo.schema.json")


class MongoEngine(Engine):
    """A real MongoDB: each adapter gets its own MongoClient (its own connections)."""

    id = "mongo"
    label = "MongoDB"
    providers: ClassVar[tuple[str, ...]] = ("dsn", "container", "local")
    fallback: ClassVar[str | None] = "mongomock"
    layout: ClassVar[Layout | None] = LAYOUT
    drivers: ClassVar[tuple[str, ...]] = ("pymongo",)
    server: ClassVar[ServerFacts | None] = ServerFacts(
        dsn_example="mongodb://...", version_example="mongo-7.0", default_image="mongo:7",
        image_data_dir="/data/db", image_names=("mongo",),
        local=LocalServerSpec(binaries=("mongod",), search_dirs=MONGOD_DIRS, workdir_prefix="contract-mongod-",
                              accounts=("mongodb", "nobody"), pid_files=("mongod.pid",), log="mongod.log"),
        schemes=("mongodb",), multi_host=True,
    )

    def __init__(self) -> None:
        super().__init__()
        self._db: Any = None

    def start(self, provider: str, config: HarnessConfig, stack: ExitStack) -> Endpoint:
        from adapter_contracts.harness.engines.mongo import provisioning

        if provider == "dsn":
            dsn = config.dsns.get(self.id)
            if not dsn:
                raise ProvisionUnavailable(self.no_dsn())
        elif provider == "container":
            dsn = provisioning.container(self, stack)
        elif provider == "local":
            dsn = provisioning.local_server(self, stack, config.startup_timeout)
        else:
            raise ProvisionUnavailable(f"unknown provider {provider!r}")
        client, version = provisioning.connect(provider, dsn, config.startup_timeout, stack, config.server_timeout)
        if provider == "dsn" and config.dsn_database == "existing":
            self._db = provisioning.claim(client, self, config)
        else:
            # A database of our own, even on a server we started: the harness never
            # touches another database, and drops this one at the end.
            self._db = provisioning.own_database(self, client, dsn, stack, server_timeout=config.server_timeout)
        stack.callback(setattr, self, "_db", None)
        self.conditions, self.conditions_unmet = provisioning.conditions(self._db, self)
        return Endpoint(engine=self.id, provider=provider, dsn=dsn, database=self._db.name,
                        server_version=version, driver=provisioning.driver(), timeout=config.server_timeout)

    def make_adapter(self, endpoint: Endpoint) -> Adapter:
        from pymongo import MongoClient

        from adapter_contracts.adapters.mongo import MongoAdapter
        from adapter_contracts.harness.engines.mongo.provisioning import client_timeouts

        return MongoAdapter(MongoClient(endpoint.dsn, tz_aware=True, **client_timeouts(endpoint.timeout)),
                            endpoint.database)

    def server_fault(self, exc: BaseException) -> str | None:
        from pymongo.errors import ConnectionFailure, OperationFailure

        if isinstance(exc, ConnectionFailure):  # server selection, network timeouts, a lost connection
            return "server stopped answering"
        if isinstance(exc, OperationFailure) and exc.code in (14031, 12596):
            return "disk full" if exc.code == 14031 else "out of memory"
        return None

    def database(self) -> Any:
        if self._db is None:
            raise RuntimeError(f"{type(self).__name__} used before start()")
        return self._db

    def reset(self) -> None:
        from adapter_contracts.harness.engines.mongo.storage import reset

        reset(self.database(), self.layout)

    def present_tables(self) -> set[str]:
        return set(self.database().list_collection_names())

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        from adapter_contracts.harness.engines.mongo.storage import snapshot

        return snapshot(self.database(), self.layout)

    def introspect(self, endpoint: Endpoint) -> dict[str, Any]:
        from pymongo import MongoClient

        from adapter_contracts.harness.engines.mongo.introspection import introspect_database

        client = endpoint.extra.get("client")
        if client is not None:
            return introspect_database(client[endpoint.database])
        from adapter_contracts.harness.engines.mongo.provisioning import client_timeouts

        owned: MongoClient[dict[str, Any]] = MongoClient(endpoint.dsn, **client_timeouts(endpoint.timeout))
        try:
            return introspect_database(owned[endpoint.database])
        finally:
            owned.close()

    def database_of(self, dsn: str) -> str:
        from pymongo.uri_parser import parse_uri

        return str(parse_uri(dsn).get("database") or "")
