"""Provisioning engines once per session, in provider order, with reasons kept for the report."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from adapters.base import Adapter
from adapters.errors import AdapterError
from harness.config import HarnessConfig
from harness.engines import load_backend
from harness.engines.base import Backend, Endpoint
from harness.plugging import PluggedAdapter
from harness.provision.common import ProvisionRefused, ProvisionUnavailable, docker_available, scrub

__all__ = ["EngineSession", "EngineUnavailable", "StartedEngine"]

#: The DSN option that feeds the "dsn" provider of each engine family.
DSN_KEYS = {"postgres": "postgres", "mysql": "mysql", "mongo": "mongo"}


class EngineUnavailable(Exception):
    """No provider could supply the engine; the message lists what was tried."""


@dataclass
class StartedEngine:
    backend: Backend
    endpoint: Endpoint
    adapter: Adapter
    startup_seconds: float
    factory: Callable[[Endpoint], Adapter]
    attempts: list[str] = field(default_factory=list)

    def new_adapter(self) -> Adapter:
        """Another instance of the adapter under test on the same storage."""
        return self.factory(self.endpoint)


class EngineSession:
    """Starts engines lazily, keeps them for the session, tears them down at the end."""

    def __init__(self, config: HarnessConfig, plugged: PluggedAdapter | None = None) -> None:
        self.config = config
        self.plugged = plugged
        self.stack = ExitStack()
        self.started: dict[str, StartedEngine] = {}
        self.unavailable: dict[str, str] = {}
        #: Under xdist, on the controller: what the workers provisioned (engine id -> facts, see plugin).
        self.remote: dict[str, dict[str, Any]] = {}
        self._docker_reason: str | bool | None = False  # False: not checked yet
        #: Set when a required engine could not be provisioned (here or, under xdist, on a worker).
        self.required_failure: str | None = None

    def docker_reason(self) -> str | None:
        if self._docker_reason is False:
            self._docker_reason = docker_available()
        assert self._docker_reason is not True
        return self._docker_reason

    def get(self, engine_id: str) -> StartedEngine:
        if engine_id in self.started:
            return self.started[engine_id]
        if engine_id in self.unavailable:
            raise EngineUnavailable(self.unavailable[engine_id])
        try:
            started = self._start(engine_id)
        except EngineUnavailable as exc:
            self.unavailable[engine_id] = str(exc)
            raise
        self.started[engine_id] = started
        return started

    def _providers(self, backend: Backend) -> list[str]:
        chosen = self.config.provider_for(backend.id)
        if chosen is None:
            return list(backend.providers)
        if chosen not in backend.providers:
            raise EngineUnavailable(
                f"{backend.id}: provider {chosen!r} is not one of {', '.join(backend.providers)}"
            )
        return [chosen]

    def skip_reason(self, backend: Backend, provider: str) -> str | None:
        """Why ``provider`` is not even tried, from cheap checks, or None."""
        family = DSN_KEYS.get(backend.id)
        if provider == "dsn" and family is not None and family not in self.config.dsns:
            return f"dsn: no --{family}-dsn or CONTRACT_{family.upper()}_DSN given"
        if provider == "container":
            reason = self.docker_reason()
            if reason is not None:
                return f"container: {reason}"
        return None

    def _scrub(self, text: str) -> str:
        """Messages quote driver errors, which may quote a DSN: never show its password."""
        return scrub(text, self.config.dsns.values())

    def _start(self, engine_id: str) -> StartedEngine:
        try:
            backend = load_backend(engine_id)
        except ImportError as exc:
            raise EngineUnavailable(f"{engine_id}: driver not importable ({exc})") from None
        factory = backend.make_adapter
        if self.plugged is not None and self.plugged.engine == engine_id:
            factory = self.plugged.factory
        attempts: list[str] = []
        for provider in self._providers(backend):
            reason = self.skip_reason(backend, provider)
            if reason is not None:
                attempts.append(reason)
                continue
            began = time.perf_counter()
            scope = ExitStack()
            try:
                endpoint = backend.start(provider, self.config, scope)
                adapter = factory(endpoint)
                scope.callback(adapter.close)
                adapter.create_schema()
            except ProvisionRefused as exc:
                # The user's storage was refused: falling back to another provider would hide it.
                scope.close()
                raise EngineUnavailable(self._scrub(f"{engine_id} via {provider}: refused: {exc}")) from None
            except ProvisionUnavailable as exc:
                scope.close()
                attempts.append(self._scrub(f"{provider}: {exc}"))
                continue
            except (OSError, subprocess.SubprocessError) as exc:
                # The machine, not the adapter: a binary that cannot run, a directory that
                # cannot be made.  Said like any other reason, never an INTERNALERROR.
                scope.close()
                attempts.append(self._scrub(f"{provider}: {type(exc).__name__}: {exc}"))
                continue
            except AdapterError as exc:
                # The server is up but the adapter cannot set up its schema there:
                # a finding about the adapter, reported once rather than per test.
                scope.close()
                raise EngineUnavailable(self._scrub(
                    f"{engine_id} via {provider}: the adapter's create_schema() failed: {exc}"
                )) from None
            except BaseException:
                scope.close()
                raise
            self.stack.push(scope.pop_all())
            return StartedEngine(backend, endpoint, adapter, time.perf_counter() - began, factory, attempts)
        raise EngineUnavailable(f"{engine_id} not available; tried " + "; ".join(attempts))

    def close(self) -> None:
        self.stack.close()
