"""What an engine is to the harness: its facts, its provisioning, its raw access, and the endpoint it hands over.

An engine is one class (``PostgresEngine``) in its own package
(``harness/engines/postgres/``), registered by one line in
:mod:`adapter_contracts.harness.engines`.  The class holds the engine's facts
as class attributes, cheap to read with no driver installed (the option table
and the registry read them when the plugin loads); everything that needs a
driver lives in the package's other modules, imported when the engine starts.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import json
from abc import ABC, abstractmethod
from contextlib import ExitStack
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from adapter_contracts.harness.dsn import url_problem
from adapter_contracts.harness.endpoint import Endpoint
from adapter_contracts.harness.provision.common import docker_available, find_binary, redact_dsn
from adapter_contracts.harness.provision.local import LocalServerSpec

if TYPE_CHECKING:
    from adapter_contracts.adapters.base import Adapter
    from adapter_contracts.harness.config import HarnessConfig
    from adapter_contracts.harness.faults import FaultInjector

# Endpoint is what the engines hand to adapter factories; it lives in a module of its own (the
# public interface names it there) and is re-exported here, where engines and tests find it.
__all__ = ["Endpoint", "Engine", "Layout", "RawStorage", "ServerFacts", "StorageEngine", "dsn_names", "image_names"]


@functools.cache
def _resource_text(package: str, resource: str) -> str:
    return resources.files(package).joinpath(resource).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Layout:
    """An engine's canonical physical layout: the declaration its built-in adapter ships as package data.

    Printed as its name (``postgres``), which is what ``python -m adapter_contracts.harness.schema
    --dump --engine NAME`` takes.  Several engines may share one (``mongo`` and its stand-in).
    """

    name: str
    package: str
    resource: str

    def __str__(self) -> str:
        return self.name

    def text(self) -> str:
        return _resource_text(self.package, self.resource)

    def document(self) -> dict[str, Any]:
        """The layout document (a fresh copy)."""
        document: dict[str, Any] = json.loads(self.text())
        return document

    def tables(self) -> tuple[str, ...]:
        """The canonical tables (MongoDB: collections), in the declaration's order."""
        document = self.document()
        return tuple(document.get("tables") or document.get("collections") or {})

    def is_tabular(self) -> bool:
        """Whether the layout's tables must exist (SQL) or may appear on first write (MongoDB)."""
        return "tables" in self.document()

    def children_first(self) -> tuple[str, ...]:
        """The tables, each before every table its foreign keys reference: an order to empty them in
        where no delete waits on a cascade."""
        tables = self.document().get("tables") or {}
        parents = {name: {fk["references"]["table"] for fk in spec.get("foreign_keys", [])} - {name}
                   for name, spec in tables.items()}
        order: list[str] = []
        while len(order) < len(parents):
            # Tables no remaining table references; a reference cycle (none in any layout) keeps its order.
            free = [t for t in parents if t not in order
                    and not any(t in parents[other] for other in parents if other not in order and other != t)]
            order += free or [t for t in parents if t not in order]
        return tuple(order) or self.tables()


def dsn_names(engine: str) -> tuple[str, str, str]:
    """Flag, ini key and environment variable that name a server of ``engine``: ``--postgres-dsn``, ..."""
    return f"--{engine}-dsn", f"contract_{engine}_dsn", f"CONTRACT_{engine.upper()}_DSN"


def image_names(engine: str) -> tuple[str, str, str]:
    """Flag, ini key and environment variable of ``engine``'s container images: ``--postgres-image``, ..."""
    return f"--{engine}-image", f"contract_{engine}_images", f"CONTRACT_{engine.upper()}_IMAGES"


@dataclass(frozen=True)
class ServerFacts:
    """What the harness knows of an engine reached through a server (a DSN, a container, a local binary)."""

    #: For the --<engine>-dsn help: what a DSN looks like.
    dsn_example: str
    #: For the --<engine>-image help: what the engine versions of images are called.
    version_example: str
    #: The official image the container provider runs when the user names none.
    default_image: str
    #: Where that image keeps its data (a tmpfs there: the data dies with the container).
    image_data_dir: str
    #: Image names that are the engine's own (``postgres:17`` is ``postgres-17``, not ``postgres-postgres-17``).
    image_names: tuple[str, ...]
    #: The throwaway local server.
    local: LocalServerSpec
    #: URL schemes a DSN of this engine may have (a ``+driver`` suffix is allowed: ``mysql+pymysql``).
    schemes: tuple[str, ...] = ()
    #: Whether a URL may name several hosts (``h1:5432,h2:5433``).
    multi_host: bool = False
    #: Whether a DSN may also be libpq's ``key=value`` form.
    key_value: bool = False


class Engine(ABC):
    """One engine as the harness sees it.  One instance per target per session."""

    #: Engine id: the registry's key, in test ids (``test_x[postgres]``) and option names (``--postgres-dsn``).
    id: ClassVar[str]
    #: Human name for headers, help texts and reports.
    label: ClassVar[str]
    #: Providers in the order they are tried when the user picks none.
    providers: ClassVar[tuple[str, ...]]
    #: True for stand-ins that are not the real engine (never certified as it).
    stand_in: ClassVar[bool] = False
    #: True for the engine that runs the reference adapter, the executable specification: the
    #: contract manifest measures its Hypothesis floors there.  Exactly one engine sets it.
    reference: ClassVar[bool] = False
    #: The stand-in that runs instead when the user named no engine and no real server can be had.
    fallback: ClassVar[str | None] = None
    #: Whether a run that names no engine runs this one.
    by_default: ClassVar[bool] = True
    #: Fault support: True when :meth:`fault_injector` can put a network fault between adapter and
    #: server.  The fault contracts run only on such engines, and only there does a certificate
    #: require them (read on the class, at collection, before anything is provisioned).
    supports_faults: ClassVar[bool] = False
    #: The canonical layout the adapter's create_schema() must lay out, or None for engines
    #: without physical storage (the in-memory reference).
    layout: ClassVar[Layout | None] = None
    #: The Python modules the engine's own access needs (its driver); without them the engine is
    #: still listed and fails at provisioning, saying which one is missing.
    drivers: ClassVar[tuple[str, ...]] = ()
    #: ``"async"`` for engines whose built-in adapter is an AsyncAdapter (run through the harness's
    #: bridge); the async-native contracts are collected for those engines only.
    flavour: ClassVar[str] = "sync"
    #: The engine whose server this one reaches in another way (an async adapter of the same storage):
    #: it takes that engine's --<engine>-dsn and --<engine>-image instead of options of its own.
    twin: ClassVar[str | None] = None
    #: Set for engines reached through a server: they take --<engine>-dsn and --<engine>-image.
    server: ClassVar[ServerFacts | None] = None

    #: The container image to run (set per target by the registry), or None for the default.
    image: str | None = None
    #: The storage conditions the adapter meets, measured, for the certificate
    #: (e.g. {"default collation": "ICU en-US", "TimeZone": "+05:45"}); set by start().
    conditions: dict[str, str]
    #: Each hostile condition the README promises that this storage does not have -> one line
    #: saying what the adapter meets instead (measured, never assumed); set by start().
    conditions_unmet: dict[str, str]
    #: Leftovers of ended runs this engine removed before it started (databases, work directories).
    swept: list[str]

    def __init__(self) -> None:
        self.conditions = {}
        self.conditions_unmet = {}
        self.swept = []

    # -- facts that need no driver ---------------------------------------------------

    @classmethod
    def missing_driver(cls) -> str | None:
        """None when the engine's driver modules import, else which one does not and why."""
        for module in cls.drivers:
            try:
                importlib.import_module(module)
            except ImportError as exc:
                return f"{module}: {exc}"
        return None

    @classmethod
    def dsn_problem(cls, dsn: str) -> str | None:
        """What is wrong with ``dsn`` as this engine's DSN (the part and why, never the password), or None.

        The one check of a DSN's form, before any driver sees it: a DSN that fails it is a usage error."""
        if cls.server is None:
            return None
        if "://" not in dsn and cls.server.key_value:
            return cls.key_value_problem(dsn)
        return url_problem(dsn, cls.server.schemes, multi_host=cls.server.multi_host)

    @classmethod
    def key_value_problem(cls, dsn: str) -> str | None:
        """What is wrong with a ``key=value`` DSN (engines that take one say), or None."""
        return f"the scheme: expected {cls.server.dsn_example if cls.server else 'a URL'}"

    @classmethod
    def no_dsn(cls) -> str:
        flag, _, env = dsn_names(cls.twin or cls.id)
        return f"dsn: no {flag} or {env} given"

    @classmethod
    def unreachable(cls, config: HarnessConfig) -> str | None:
        """None when a real server of this engine can be tried here, else what was checked.

        Cheap: starts nothing and imports no driver.  Decides, at collection, whether an engine
        with a :attr:`fallback` runs for real or through its stand-in.
        """
        if cls.server is None:
            return None
        chosen = config.provider_for(cls.id)
        reasons: list[str] = []
        for provider in [chosen] if chosen in cls.providers else list(cls.providers):
            if provider == "dsn":
                if cls.id in config.dsns:
                    return None
                reasons.append(cls.no_dsn())
            elif provider == "container":
                docker = docker_available()
                if docker is None and importlib.util.find_spec("testcontainers") is not None:
                    return None
                reasons.append(f"container: {docker or 'testcontainers is not installed'}")
            elif provider == "local":
                local = cls.server.local
                if any(find_binary(name, local.search_dirs) for name in local.binaries):
                    return None
                reasons.append(f"local: {local.not_found()}")
        return "; ".join(reasons)

    # -- provisioning and raw access -----------------------------------------------------

    @abstractmethod
    def start(self, provider: str, config: HarnessConfig, stack: ExitStack) -> Endpoint:
        """Provision empty storage with ``provider``; the harness lays out nothing there.

        The adapter under test lays out its own schema afterwards
        (``create_schema()``), on storage whose defaults are hostile where the
        engine has them (locale collation, a time zone that is not UTC).
        Cleanup (stop the server, drop the database) is pushed onto ``stack``,
        and whatever outlives the process if it is killed is registered with the
        watchdog and carries an owner record for the next run's sweep.
        Raises :class:`~adapter_contracts.harness.provision.common.ProvisionUnavailable` with the
        reason when this provider cannot supply the engine here.
        """

    @abstractmethod
    def make_adapter(self, endpoint: Endpoint) -> Adapter:
        """A new instance of the engine's built-in adapter on the provisioned storage."""

    @abstractmethod
    def reset(self) -> None:
        """Empty every canonical table/collection of the provisioned storage, quickly.

        Uses the engine's own raw connection, never the adapter under test, and
        assumes nothing of the column types the adapter chose.
        """

    @abstractmethod
    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every canonical table/collection, read raw, sorted, for 'nothing changed' checks.

        Whatever the column types (a layout deviation is the layout contract's to report, not a
        reason for the harness's own read to fail).
        """

    def present_tables(self) -> set[str]:
        """The tables/collections the storage holds now, read raw (after the adapter's create_schema())."""
        return set()

    def reconnect(self) -> None:  # noqa: B027 - optional hook; engines without a connection have nothing to drop
        """Drop the engine's own raw connection so that the next reset or snapshot opens a new one."""

    def server_fault(self, exc: BaseException) -> str | None:
        """What fault of the server (or its machine) a driver error of the engine's own access shows, in a
        few words ("server stopped answering", "too many connections", "disk full"), or None when it
        shows none.  Read before a failure is counted against the adapter."""
        return None

    def health(self) -> str | None:
        """The fault the provisioned server shows now (a fresh connection refused, read-only, full, out of
        resources held by other clients), or None.  Asked before a failed contract is counted against
        the adapter; a fault the adapter caused itself (connections it holds) is not the server's."""
        return None

    #: Words of the engine's server in an error message -> the server's fault they show (disk full,
    #: read-only, out of memory), read in a failed contract's report before it is counted against the
    #: adapter.  Not "too many connections": who holds the connections decides that (:meth:`health`).
    fault_texts: ClassVar[dict[str, str]] = {}

    @classmethod
    def fault_in(cls, text: str) -> str | None:
        """The server's fault that ``text`` (a failed contract's report) shows in the server's words, or None."""
        lowered = text.lower()
        return next((fault for words, fault in cls.fault_texts.items() if words in lowered), None)

    def fault_injector(self, endpoint: Endpoint) -> FaultInjector | None:
        """A :class:`~adapter_contracts.harness.faults.FaultInjector` for ``endpoint``, or None without a network link.

        Optional; the caller closes it.  An engine that returns one for the
        throwaway server it started may restart that server for real; any other
        server is only ever "restarted" at the proxy.
        """
        return None

    # -- the live schema (drift check and layout contract) ------------------------------

    def introspect(self, endpoint: Endpoint) -> dict[str, Any]:
        """The live schema of the endpoint's database, in canonical form.  Never writes."""
        raise ValueError(f"engine {self.id!r} has no storage schema to introspect")

    def inspection_endpoint(self, dsn: str, database: str | None) -> Endpoint:
        """The endpoint the read-only drift check reads (``python -m adapter_contracts.harness.schema``).

        Raises ValueError with a one-line reason when ``dsn`` names no database to read.
        """
        name = database or self.database_of(dsn)
        if not name:
            raise ValueError("the DSN names no database; give --database")
        return Endpoint(engine=self.id, provider="dsn", dsn=dsn, database=name, server_version="unknown",
                        driver="adapter_contracts.harness.schema", owned=False)

    def database_of(self, dsn: str) -> str:
        """The database a DSN names ('' when none)."""
        return ""

    def shown(self, dsn: str) -> str:
        """The DSN as the drift check prints it: its password masked."""
        return redact_dsn(dsn)


class RawStorage(Protocol):
    """An engine's own access to the storage it provisioned (never the adapter's)."""

    def reset(self) -> None: ...
    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]: ...
    def present_tables(self) -> set[str]: ...
    def close(self) -> None: ...


class StorageEngine(Engine):
    """An engine whose raw access is one :class:`RawStorage` object, made by :meth:`start` once the
    storage is established as the harness's own; before that, and after cleanup, there is none."""

    _storage: RawStorage | None = None

    def _raw(self) -> RawStorage:
        if self._storage is None:
            raise RuntimeError(f"{type(self).__name__}: the storage was not established as the harness's own "
                               "(start() first)")
        return self._storage

    def present_tables(self) -> set[str]:
        return self._raw().present_tables()

    def reconnect(self) -> None:
        # The next reset or snapshot opens a new connection.
        if self._storage is not None:
            self._storage.close()

    def reset(self) -> None:
        # The adapter commits every operation, so emptying the tables is the only isolation between examples.
        self._raw().reset()

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        return self._raw().snapshot()
