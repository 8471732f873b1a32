"""What an adapter factory receives: the connection details of a provisioned engine.

Part of the public interface (``from adapter_contracts import Endpoint``); it
depends on nothing of the engines, which hand it out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from adapter_contracts.adapters.bounds import DEFAULT_TIMEOUT
from adapter_contracts.harness.provision.common import describe_target, redact_dsn

__all__ = ["Endpoint"]


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
    #: The bound, in seconds, on any one wait on this storage: connecting, one statement or
    #: round trip, one lock.  Adapters that honour it (the built-in ones do) turn a server that
    #: stops answering into StorageUnavailable within this time instead of hanging the run.
    timeout: float = DEFAULT_TIMEOUT

    def redacted(self) -> str:
        return redact_dsn(self.dsn)

    def location(self) -> str:
        """Where the storage is, without credentials: ``host:port/database`` (or the file, or the label)."""
        return describe_target(self.dsn, self.database)

    def target(self) -> str:
        """The same as :meth:`location`: the name adapter authors have used so far (a *target* is now
        one parametrization of the contracts, see the README's glossary)."""
        return self.location()

    def describe(self) -> str:
        return f"{self.engine}: {self.server_version} via {self.provider} ({self.driver})"
