"""Provisioning engines once per session, in provider order, with reasons kept for the report.

The harness provisions empty storage and lays out nothing there: the adapter
under test calls its own ``create_schema()``, and the session then checks that
the canonical tables exist and that a write lands in them, so that every
contract runs on the storage the adapter would have in production.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from adapter_contracts.adapters.async_base import AsyncAdapter
from adapter_contracts.adapters.base import Adapter
from adapter_contracts.harness.bridge import AsyncBridge
from adapter_contracts.harness.config import HarnessConfig
from adapter_contracts.harness.engines import ENGINES, Target, load_engine, resolve_targets
from adapter_contracts.harness.engines.base import Endpoint, Engine
from adapter_contracts.harness.instances import CheckedFactory
from adapter_contracts.harness.plugging import PluggedAdapter
from adapter_contracts.harness.private.pytest_api import Failed
from adapter_contracts.harness.provenance import adapter_modules
from adapter_contracts.harness.provision.common import (
    ProvisionRefused,
    ProvisionUnavailable,
    docker_available,
    redact_dsn,
    scrub,
)
from adapter_contracts.harness.provision.watchdog import watchdog
from adapter_contracts.harness.schema.model import IGNORED_TABLES

__all__ = ["EngineDown", "EngineSession", "EngineUnavailable", "FactoryError", "StartedEngine", "one_line"]

T = TypeVar("T")


class EngineUnavailable(Exception):
    """No provider could supply the engine; the message lists what was tried."""


class FactoryError(Exception):
    """The adapter factory raised or returned something that is not an Adapter: a usage error."""


class EngineDown(Failed):
    """The engine's storage cannot be used any more (or never could): one line says why.

    A ``pytest.fail`` without traceback: hundreds of contracts may stop on it, and
    formatting a traceback for each cost more than the run (80 ms each, measured).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason, pytrace=False)


def one_line(exc: BaseException) -> str:
    """``Type: first line of the message``, at most 300 characters."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300].rstrip(": ")


@dataclass
class StartedEngine:
    engine: Engine
    endpoint: Endpoint
    adapter: Adapter
    startup_seconds: float
    factory: Callable[[Endpoint], Adapter]
    #: Why each provider before the one used was not (``"dsn: no --postgres-dsn given"``).
    attempts: list[str] = field(default_factory=list)
    target: Target | None = None
    #: Set when the storage cannot serve contracts (create_schema() failed, canonical tables
    #: missing, writes landing elsewhere): every contract of the engine fails at setup with it.
    unusable: str | None = None
    #: Set once the server stopped answering mid-run (after one reconnect attempt).
    dead: str | None = None
    #: Tables/collections the adapter made besides the canonical ones.
    extra_tables: tuple[str, ...] = ()
    #: Set when the server ran out of disk: the harness's cleanup then leaves the drop to the watchdog.
    struggling: str | None = None
    #: Set when the harness's own connection was lost to the server and got back during the current
    #: contract (a restart, every connection dropped): the contract it cut is the server's.
    outage: bool = False

    def __post_init__(self) -> None:
        # Every later call (new_adapter, the fault contracts' proxied instances) is checked.
        if not isinstance(self.factory, CheckedFactory):
            self.factory = CheckedFactory(self.factory, self.adapter)

    @property
    def id(self) -> str:
        return self.target.id if self.target is not None else self.engine.id

    def new_adapter(self) -> Adapter:
        """Another instance of the adapter under test on the same storage, from another call of its
        factory: a new instance of the first one's class, or FactoryViolation."""
        return self.factory(self.endpoint)

    def describe(self) -> str:
        label = " [STAND-IN, not a certified MongoDB run]" if self.engine.stand_in else ""
        ep = self.endpoint
        tried = f" (not used: {'; '.join(self.attempts)})" if self.attempts else ""
        swept = f" (removed leftovers of ended runs: {', '.join(self.engine.swept)})" if self.engine.swept else ""
        return (f"{ep.server_version} via {ep.provider} ({ep.driver}) at {ep.location()}, "
                f"ready in {self.startup_seconds:.2f}s{label}{tried}{swept}")

    def facts(self) -> dict[str, Any]:
        """What the report needs of this engine, as plain data (it crosses the xdist channel)."""
        ep = self.endpoint
        return {
            "line": self.describe(), "provider": ep.provider, "server_version": ep.server_version,
            "driver": ep.driver, "stand_in": self.engine.stand_in, "target": ep.location(),
            "adapter": self.adapter_name(),
            # asyncio adapters run the same contracts through the bridge; the verdict line says so.
            "flavour": "async" if isinstance(self.adapter, AsyncBridge) else "sync",
            "attempts": list(self.attempts), "conditions": dict(self.engine.conditions),
            # Each hostile condition the README promises that this storage lacks -> what the adapter met.
            "conditions_unmet": dict(self.engine.conditions_unmet),
            "extra_tables": list(self.extra_tables), "unusable": self.unusable, "dead": self.dead,
            "image": self.engine.image,  # the default image too, once the container provider chose it
            "swept": list(self.engine.swept),
            # What the adapter's own code loads (its driver, its ORM), beside the harness's driver above.
            "adapter_modules": adapter_modules(self.adapter.inner if isinstance(self.adapter, AsyncBridge)
                                               else self.adapter, getattr(self.factory, "factory", self.factory)),
            "factory_violation": getattr(self.factory, "violation", None),
        }

    def adapter_name(self) -> str:
        """``module:Class`` of the adapter under test (through the bridge: the async adapter's)."""
        adapter: object = self.adapter.inner if isinstance(self.adapter, AsyncBridge) else self.adapter
        return f"{type(adapter).__module__}:{type(adapter).__qualname__}"

    def check_usable(self) -> None:
        """Raise :class:`EngineDown` when contracts cannot run on this engine's storage."""
        reason = self.dead or self.unusable
        if reason is not None:
            raise EngineDown(reason)

    def reset(self) -> None:
        """Empty the canonical tables through the engine's own connection."""
        self._reach(self.engine.reset)

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        return self._reach(self.engine.snapshot)

    def _reach(self, action: Callable[[], T]) -> T:
        """``action``, retried on a new raw connection with backoff while the server does not answer, for
        about two ``--server-timeout`` (a restart is survived); then the engine is dead, so that its
        remaining contracts fail at once with this reason instead of each waiting out a connection
        attempt of its own."""
        self.check_usable()
        began = time.monotonic()
        try:
            return action()
        except Exception as exc:  # noqa: BLE001 - any driver error: reconnect, with backoff, then give up
            lost = self.engine.server_fault(exc) is not None
            self.engine.reconnect()
        # A server restarting (pg_ctl restart: down for a second or two) refuses at once, so
        # several attempts fit in the window; one that stopped answering spends it on one.
        pause, window = 0.25, self.endpoint.timeout
        while True:
            try:
                done = action()
            except Exception as exc:  # noqa: BLE001 - the one-line reason replaces the driver's traceback
                failure, fault = one_line(exc), self.engine.server_fault(exc)
                self.engine.reconnect()
            else:
                self.outage = self.outage or lost
                return done
            if fault is None or time.monotonic() + pause - began > window + self.endpoint.timeout:
                break  # the server answered (with an error of the storage's), or the window is spent
            time.sleep(pause)
            pause = min(pause * 2, 2.0)
        if fault is None and self._server_answers():
            # The server is there: what failed is the harness's raw read of the storage the adapter
            # laid out, which is the adapter's finding, not the server's.
            self.unusable = (f"{self.id}: the harness's raw read of the storage the adapter laid out failed "
                             f"({failure}); the schema area lists every difference from the canonical layout")
            raise EngineDown(self.unusable) from None
        if fault is not None and "full" in fault:
            self.struggling = fault
        self.dead = (f"server fault: {fault or 'server stopped answering'} after "
                     f"{time.monotonic() - began:.0f} s ({failure}) at {self.endpoint.location()}; "
                     "the engine's remaining contracts cannot run")
        raise EngineDown(self.dead) from None

    def server_fault_now(self, *, restart_is_fault: bool = True) -> str | None:
        """``server fault: <reason>`` when the server shows a fault now that the adapter did not cause
        (asked before a failed contract is counted against the adapter), else None.  An outage the
        harness's own connection went through during the contract (a restart) is one, except where
        the contract restarted the server on purpose."""
        if self.dead is not None or self.unusable is not None:
            return None
        try:
            fault = self.engine.health()
        except Exception:  # noqa: BLE001 - a check that cannot run excuses nothing
            return None
        if fault is None and restart_is_fault and self.outage:
            fault = "server dropped or stopped answering connections during the contract (a restart, a hang)"
        return f"server fault: {fault} at {self.endpoint.location()}" if fault else None

    def fault_in(self, text: str) -> str | None:
        """``server fault: <reason>`` when a failed contract's report shows the server's own words for a
        fault of its resources (disk full, read-only, out of memory), else None."""
        fault = self.engine.fault_in(text)
        if fault is not None and "full" in fault:
            self.struggling = fault  # its cleanup waits: a DROP's checkpoint could take it down
        return f"server fault: {fault} at {self.endpoint.location()}" if fault else None

    def _server_answers(self) -> bool:
        try:
            self.engine.present_tables()
        except Exception:  # noqa: BLE001 - any failure means the server does not answer
            self.engine.reconnect()
            return False
        return True


class EngineSession:
    """Starts engines lazily, keeps them for the session, tears them down at the end."""

    def __init__(self, config: HarnessConfig, plugged: PluggedAdapter | None = None,
                 targets: list[Target] | None = None) -> None:
        self.config = config
        self.plugged = plugged
        if targets is None:
            targets = resolve_targets(config, plugged.engine if plugged else None)
        self.targets = {target.id: target for target in targets}
        self._stacks: dict[str, ExitStack] = {}
        self.started: dict[str, StartedEngine] = {}
        self.unavailable: dict[str, str] = {}
        #: Under xdist, on the controller: what the workers provisioned (engine id -> facts, see plugin).
        self.remote: dict[str, dict[str, Any]] = {}
        self._docker_reason: str | bool | None = False  # False: not checked yet
        #: Set when a required engine could not be provisioned (here or, under xdist, on a worker).
        self.required_failure: str | None = None
        #: Set when the adapter factory is unusable (a usage error: exit status 4).
        self.usage_error: str | None = None
        #: Whether pytest itself prints the usage error (raised as pytest.UsageError).
        self.usage_error_shown = False
        #: One line per engine whose cleanup failed (printed, never a traceback).
        self.cleanup_errors: list[str] = []
        self._closed = False

    def target(self, engine_id: str) -> Target:
        target = self.targets.get(engine_id)
        if target is None:
            if engine_id not in ENGINES:
                raise EngineUnavailable(f"{engine_id}: not an engine of this run")
            target = self.targets[engine_id] = Target(engine_id, engine_id)
        return target

    def required(self, engine_id: str) -> bool:
        target = self.target(engine_id)
        return self.config.required(target.id) or self.config.required(target.engine)

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
            started = self._start(self.target(engine_id))
        except EngineUnavailable as exc:
            self.unavailable[engine_id] = str(exc)
            raise
        self.started[engine_id] = started
        return started

    def providers(self, target: Target, engine: Engine) -> list[str]:
        """The providers to try, in order.  A named server is the only candidate for its engine:
        an image runs only in a container, a DSN only at that DSN, so the certified target is
        always the one the user named."""
        if target.image is not None:
            return ["container"]
        if engine.server is not None and engine.id in self.config.dsns:
            return ["dsn"]
        chosen = self.config.providers.get(engine.id)
        if chosen is None:
            everywhere = self.config.providers.get("*")
            chosen = everywhere if everywhere in engine.providers else None
        return [chosen] if chosen is not None else list(engine.providers)

    def skip_reason(self, engine: Engine, provider: str) -> str | None:
        """Why ``provider`` is not even tried, from cheap checks, or None."""
        if provider == "dsn" and engine.server is not None and engine.id not in self.config.dsns:
            return engine.no_dsn()
        if provider == "container":
            reason = self.docker_reason()
            if reason is not None:
                return f"container: {reason}"
        return None

    def _scrub(self, text: str) -> str:
        """Messages quote driver errors, which may quote a DSN: never show its password."""
        return scrub(text, self.config.dsns.values())

    def _start(self, target: Target) -> StartedEngine:
        engine = load_engine(target)
        missing = engine.missing_driver()
        if missing is not None:
            raise EngineUnavailable(f"{target.id}: driver not importable ({missing})")
        factory: Callable[[Endpoint], Adapter] = engine.make_adapter
        if self.plugged is not None and self.plugged.engine == engine.id:
            factory = self.plugged.factory
        attempts: list[str] = []
        for provider in self.providers(target, engine):
            reason = self.skip_reason(engine, provider)
            if reason is not None:
                attempts.append(reason)
                continue
            began = time.perf_counter()
            scope = ExitStack()
            try:
                endpoint = engine.start(provider, self.config, scope)
            except ProvisionRefused as exc:
                # The user's storage was refused: falling back to another provider would hide it.
                self._abandon(scope, attempts)
                raise EngineUnavailable(self._scrub("; ".join(
                    [f"{target.id} via {provider}: refused: {exc}", *attempts[-1:]]))) from None
            except ProvisionUnavailable as exc:
                attempts.append(self._scrub(f"{self._provider_label(target, provider)}: {exc}"))
                self._abandon(scope, attempts)
                continue
            except (OSError, subprocess.SubprocessError) as exc:
                # The machine, not the adapter: a binary that cannot run, a directory that
                # cannot be made.  Said like any other reason, never an INTERNALERROR.
                self._abandon(scope, attempts)
                attempts.append(self._scrub(f"{provider}: {type(exc).__name__}: {exc}"))
                continue
            except BaseException:
                scope.close()
                raise
            # Every engine's endpoint carries the run's bound, whatever the engine set.
            endpoint = replace(endpoint, timeout=self.config.server_timeout)
            try:
                adapter = self._make_adapter(factory, endpoint)
            except BaseException:
                scope.close()
                raise
            scope.callback(adapter.close)
            started = StartedEngine(engine, endpoint, adapter, 0.0, factory, attempts, target)
            try:
                self._lay_out(started)
            except BaseException:
                scope.close()
                raise
            started.startup_seconds = time.perf_counter() - began
            self._stacks[target.id] = scope
            return started
        raise EngineUnavailable(f"{target.id} not available; tried " + "; ".join(attempts))

    def _abandon(self, scope: ExitStack, attempts: list[str]) -> None:
        """Undo what a provider that failed had done; a cleanup that fails too (a server that refuses
        the DROP of a database it never let us create) is one more reason, never an INTERNALERROR."""
        try:
            scope.close()
        except Exception as exc:  # noqa: BLE001 - said in one line with the provider's reason
            attempts.append(self._scrub(f"its cleanup failed too: {one_line(exc)}"))

    def _provider_label(self, target: Target, provider: str) -> str:
        """``dsn postgresql://user:***@host:port/db`` for the user's DSN, so a failure names it."""
        dsn = self.config.dsns.get(target.engine) if provider == "dsn" else None
        return f"dsn {redact_dsn(dsn)}" if dsn else provider

    def _make_adapter(self, factory: Callable[[Endpoint], Adapter], endpoint: Endpoint) -> Adapter:
        spec = self.plugged.spec if self.plugged is not None and factory is self.plugged.factory else None
        name = f"--adapter={spec}" if spec else f"the built-in {endpoint.engine} adapter factory"
        try:
            adapter = factory(endpoint)
        except Exception as exc:  # noqa: BLE001 - whatever the factory raised, said in one line
            raise FactoryError(self._scrub(f"{name}: the factory raised {one_line(exc)}")) from None
        if isinstance(adapter, AsyncAdapter):
            adapter_class = f"{type(adapter).__module__}.{type(adapter).__qualname__}"
            raise FactoryError(f"{name}: the factory returned the AsyncAdapter {adapter_class}; declare it with "
                               "adapter_contracts.async_adapter_factory so the harness runs it on its own event loop")
        if not isinstance(adapter, Adapter):
            raise FactoryError(f"{name}: the factory returned {type(adapter).__module__}."
                               f"{type(adapter).__qualname__}, not an adapter_contracts.adapters.base.Adapter")
        return adapter

    def _lay_out(self, started: StartedEngine) -> None:
        """The adapter's create_schema(), then what the contracts need of the storage it made.

        Whatever the adapter laid out, the harness's own reads here end in a one-line reason on
        the engine, never an exception: the layout contract still runs and lists every difference.
        """
        engine, adapter = started.engine, started.adapter
        try:
            adapter.create_schema()
        except Exception as exc:  # noqa: BLE001 - a finding about the adapter, reported once
            started.unusable = self._scrub(f"{started.id}: the adapter's create_schema() raised {one_line(exc)}")
            return
        if engine.layout is None:
            return
        canonical = engine.layout.tables()
        try:
            present = engine.present_tables()
        except Exception as exc:  # noqa: BLE001 - said in one line, like every other storage finding
            started.unusable = self._scrub(f"{started.id}: the harness could not list the tables the adapter "
                                           f"laid out ({one_line(exc)})")
            return
        started.extra_tables = tuple(sorted(present - set(canonical) - IGNORED_TABLES))
        missing = [name for name in canonical if name not in present]
        if missing and engine.layout.is_tabular():
            started.unusable = (
                f"{started.id}: the adapter's create_schema() did not lay out the canonical table(s) "
                f"{', '.join(missing)}; the schema area lists every difference from the canonical layout")
            return
        with contextlib.suppress(EngineDown):  # the reason is on the engine (unusable or dead) by then
            self._probe_writes(started, canonical)

    @staticmethod
    def _probe_writes(started: StartedEngine, canonical: tuple[str, ...]) -> None:
        """One write through the adapter must show up in the canonical tables, or every reset and raw
        read would miss what the adapter stores (and report misleading conflicts instead)."""
        try:
            started.adapter.create_user(email="layout-probe@contract.invalid", password_hash="probe")
        except Exception:  # noqa: BLE001 - a broken create_user is for the contracts to report
            return
        rows = started.snapshot()
        started.reset()
        if not any(rows.get(name) for name in canonical):
            elsewhere = f" (tables it made besides them: {', '.join(started.extra_tables)})" \
                if started.extra_tables else ""
            started.unusable = (f"{started.id}: the adapter's writes land outside the canonical tables: "
                                f"create_user() succeeded but no canonical table holds a row{elsewhere}")

    def close(self) -> None:
        """Tear every engine down; a cleanup that fails is one line on stderr, never a traceback.

        Once: an xdist worker closes its engines at the end of its session, so that what cleanup could
        not remove travels to the controller's report with the worker's other facts, and again (a no-op)
        at unconfigure."""
        if self._closed:
            return
        self._closed = True
        struggling = [f"{engine_id}: {started.struggling}" for engine_id, started in self.started.items()
                      if started.struggling]
        if struggling:
            watchdog.defer("; ".join(struggling))
        for engine_id in reversed(list(self._stacks)):
            stack = self._stacks.pop(engine_id)
            try:
                stack.close()
            except Exception as exc:  # noqa: BLE001 - report and go on with the next engine
                line = self._scrub(f"contract harness: cleanup of {engine_id} incomplete: {one_line(exc)}")
                self.cleanup_errors.append(line)
                print(line, file=sys.stderr)
        # After SIGKILL the watchdog does all this; after a failed cleanup, it retries what is left.
        watchdog.stop(clean=not self.cleanup_errors)
