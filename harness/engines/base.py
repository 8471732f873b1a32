"""What an engine backend provides to the harness: provisioning, adapters, reset."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from adapters.base import Adapter
from harness.config import HarnessConfig
from harness.provision.common import redact_dsn

if TYPE_CHECKING:
    from harness.faults import FaultInjector

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

    @abstractmethod
    def start(self, provider: str, config: HarnessConfig, stack: ExitStack) -> Endpoint:
        """Provision the engine with ``provider`` and create the adapter's schema.

        Cleanup (stop the server, drop the database) is pushed onto ``stack``.
        Raises :class:`~harness.provision.common.ProvisionUnavailable` with the
        reason when this provider cannot supply the engine here.
        """

    @abstractmethod
    def make_adapter(self, endpoint: Endpoint) -> Adapter:
        """A new adapter instance on the provisioned storage."""

    @abstractmethod
    def reset(self) -> None:
        """Empty every table/collection of the provisioned storage, quickly.

        Uses the backend's own raw connection, never the adapter under test.
        """

    def fault_injector(self, endpoint: Endpoint) -> FaultInjector | None:
        """A :class:`~harness.faults.FaultInjector` for ``endpoint``, or None without a network link.

        Optional; the caller closes it.  A backend that returns one for the
        throwaway server it started may restart that server for real; any other
        server is only ever "restarted" at the proxy.
        """
        return None

    @abstractmethod
    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table/collection, read raw, sorted, for 'nothing changed' checks."""
