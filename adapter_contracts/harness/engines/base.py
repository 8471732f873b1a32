"""What an engine backend provides to the harness: provisioning, adapters, reset."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.harness.config import HarnessConfig
from adapter_contracts.harness.provision.common import describe_target, redact_dsn

if TYPE_CHECKING:
    from adapter_contracts.harness.faults import FaultInjector

__all__ = ["Backend", "Endpoint"]


@dataclass(frozen=True)
class Endpoint:
    """Connection details of a provisioned engine, handed to adapter factories.

    ``dsn`` carries credentials: print :meth:`redacted` instead.
    """

    engine: str
    provider: str
    dsn: str = field(repr=False)  # carries credentials
    database: str
    server_version: str
    driver: str
    #: Engine-specific objects a factory may need (e.g. the mongomock client).
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: True when the harness created the database/server and may wipe it.
    owned: bool = True

    def redacted(self) -> str:
        return redact_dsn(self.dsn)

    def target(self) -> str:
        """Where the storage is, without credentials: ``host:port/database`` (or the file, or the label)."""
        return describe_target(self.dsn, self.database)

    def describe(self) -> str:
        return f"{self.engine}: {self.server_version} via {self.provider} ({self.driver})"


class Backend(ABC):
    """One engine as the harness sees it.  One instance per engine per session."""

    #: Engine id, used in test ids (``test_x[postgres]``) and options.
    id: ClassVar[str]
    #: Human name for headers and reports.
    label: ClassVar[str]
    #: Providers in the order they are tried when the user picks none.
    providers: ClassVar[tuple[str, ...]]
    #: True for stand-ins that are not the real engine (never certified as it).
    stand_in: ClassVar[bool] = False
    #: True when :meth:`fault_injector` can put a network fault between adapter and
    #: server; fault contracts are parametrized only over such engines (checked at
    #: collection, on the class, before anything is provisioned).
    supports_faults: ClassVar[bool] = False
    #: The canonical layout the adapter's create_schema() must lay out (harness/schema/layouts),
    #: or None for engines without physical storage (the in-memory reference).
    layout: ClassVar[str | None] = None
    #: The container image to run (set per target by the registry), or None for the default.
    image: str | None = None
    #: What the harness made hostile in the storage it provisioned, for the certificate
    #: (e.g. {"default collation": "ICU en-US", "TimeZone": "+05:45"}); set by start().
    conditions: dict[str, str]
    #: Leftovers of ended runs this backend removed before it started (databases, work directories).
    swept: list[str]

    def __init__(self) -> None:
        self.conditions = {}
        self.swept = []

    @abstractmethod
    def start(self, provider: str, config: HarnessConfig, stack: ExitStack) -> Endpoint:
        """Provision empty storage with ``provider``; the harness lays out nothing there.

        The adapter under test lays out its own schema afterwards
        (``create_schema()``), on storage whose defaults are hostile where the
        engine has them (locale collation, a time zone that is not UTC).
        Cleanup (stop the server, drop the database) is pushed onto ``stack``.
        Raises :class:`~adapter_contracts.harness.provision.common.ProvisionUnavailable` with the
        reason when this provider cannot supply the engine here.
        """

    def present_tables(self) -> set[str]:
        """The tables/collections the storage holds now, read raw (after the adapter's create_schema())."""
        return set()

    def reconnect(self) -> None:  # noqa: B027 - optional hook; backends without a connection have nothing to drop
        """Drop the backend's own raw connection so that the next reset or snapshot opens a new one."""

    @abstractmethod
    def make_adapter(self, endpoint: Endpoint) -> Adapter:
        """A new adapter instance on the provisioned storage."""

    @abstractmethod
    def reset(self) -> None:
        """Empty every table/collection of the provisioned storage, quickly.

        Uses the backend's own raw connection, never the adapter under test.
        """

    def fault_injector(self, endpoint: Endpoint) -> FaultInjector | None:
        """A :class:`~adapter_contracts.harness.faults.FaultInjector` for ``endpoint``, or None without a network link.

        Optional; the caller closes it.  A backend that returns one for the
        throwaway server it started may restart that server for real; any other
        server is only ever "restarted" at the proxy.
        """
        return None

    @abstractmethod
    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table/collection, read raw, sorted, for 'nothing changed' checks."""
