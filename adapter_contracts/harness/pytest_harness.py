"""The active pytest plugin: engine parametrization, fixtures, header lines, exit status.

Registered by :mod:`adapter_contracts.harness.plugin` only when a run uses the harness (its
options, or contracts collected); a project that merely has this package
installed never loads it.

Every test that asks for ``adapter`` (or ``engine``) runs once per selected
engine target, with the target id in its test id, so ``pytest -k postgres``
selects one engine (every version of it).  Engines are provisioned after
collection, only for the engines whose tests were selected.
"""

from __future__ import annotations

import contextlib
import gc
import os
import random
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import settings

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import AdapterError
from adapter_contracts.harness import interrupts
from adapter_contracts.harness.budget import Budget
from adapter_contracts.harness.capabilities import CAPABILITIES
from adapter_contracts.harness.config import OPTIONS, ConfigError, HarnessConfig
from adapter_contracts.harness.engines import ENGINES, Target, engine_class, resolve_targets
from adapter_contracts.harness.flavours import ASYNC_MARKER
from adapter_contracts.harness.plugging import PluggingError, load_factory
from adapter_contracts.harness.profiles import load_profile
from adapter_contracts.harness.provenance import hypothesis_seed, mask_command
from adapter_contracts.harness.recording import OutcomeRecorder
from adapter_contracts.harness.report import (
    DECLINED_PROPERTY,
    ENGINE_DOWN_PROPERTY,
    ENGINE_PROPERTY,
    TALLY_PREFIX,
    ConformanceRecorder,
)
from adapter_contracts.harness.report.writer import ReportPathError, start_report, usage_error_report
from adapter_contracts.harness.session import EngineDown, EngineSession, EngineUnavailable, FactoryError, StartedEngine
from adapter_contracts.harness.tracebacks import InterruptedRunTraceback

#: The plugin that shapes a failed contract's report.
FAILURE_OUTPUT_PLUGIN = "adapter_contracts.contracts.failure_output"
#: Exit status when a required engine cannot be provisioned (pytest's INTERNAL_ERROR is also 3).
REQUIRED_ENGINE_EXIT = 3
#: pytest's own exit status for usage errors.
USAGE_ERROR_EXIT = int(pytest.ExitCode.USAGE_ERROR)

_SESSION = pytest.StashKey[EngineSession]()
_TARGETS = pytest.StashKey[list[Target]]()
_PROFILE = pytest.StashKey[str]()
_DESELECTED = pytest.StashKey[Counter[str]]()
_WITNESS = pytest.StashKey[OutcomeRecorder]()
#: The workerinput key of the Hypothesis seed the controller picked.
_SEED_INPUT = "contract_hypothesis_seed"

#: Markers that restrict a contract to engines whose backend class has a property:
#: an engine without it is deselected for that contract, not skipped.
ENGINE_MARKERS: dict[str, Callable[[type[Any]], bool]] = {
    "faults": lambda cls: bool(cls.supports_faults),
    "layout": lambda cls: getattr(cls, "layout", None) is not None,
    ASYNC_MARKER: lambda cls: getattr(cls, "flavour", "sync") == "async",
}


def pytest_sessionstart(session: pytest.Session) -> None:
    interrupts.session_started(session)


def engine_session(config: pytest.Config) -> EngineSession | None:
    """The run's engines (None before configure, or when the harness is not active)."""
    return config.stash.get(_SESSION, None)


def _report_path(config: pytest.Config) -> str | None:
    """--conformance-report, read before the other options so that a usage error in them still replaces
    an earlier report."""
    option = next(o for o in OPTIONS if o.dest == "contract_report")
    value = config.getoption(option.dest) or os.environ.get(option.env) or config.getini(option.ini)
    return str(value) if value else None


def _budget(config: pytest.Config, profile: str) -> Budget:
    """The profile that runs and its seed: derandomized, the --hypothesis-seed given, or one picked here and
    handed to Hypothesis's own option (before its plugin reads it), so that the certificate can name it."""
    if settings().derandomize:
        return Budget(profile, "derandomized")
    seed = hypothesis_seed(config)
    if seed is None:
        worker = getattr(config, "workerinput", None)
        # An xdist worker gets the controller's seed in its workerinput (pytest_configure_node).
        seed = worker.get(_SEED_INPUT) if worker is not None else str(random.SystemRandom().getrandbits(32))
        if seed is not None:
            config.option.hypothesis_seed = seed
    return Budget(profile, seed)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """On the xdist controller: hand the seed it picked to each worker (options do not travel), and know
    the worker's process, to pass a SIGTERM on (harness/interrupts.py)."""
    seed = node.config.getoption("hypothesis_seed", None)
    if seed is not None and not settings().derandomize:
        node.workerinput[_SEED_INPUT] = str(seed)
    interrupts.worker_started(node)


@pytest.hookimpl(tryfirst=True)  # before Hypothesis's plugin reads --hypothesis-seed
def pytest_configure(config: pytest.Config) -> None:
    _freeze_survivors()  # what the run imported
    config.pluginmanager.register(InterruptedRunTraceback(config.option.fulltrace), "contract-interrupt-traceback")
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    command_line = mask_command(config.invocation_params.args)
    report_path = None if hasattr(config, "workerinput") else _report_path(config)
    if report_path:
        try:
            start_report(report_path, started_at, command_line)
        except ReportPathError as exc:
            raise pytest.UsageError(str(exc)) from None
    try:
        harness_config = HarnessConfig.from_pytest(config, os.environ)
        plugged = None
        if harness_config.adapter:
            plugged = load_factory(harness_config.adapter, set(ENGINES),
                                   {name for name in ENGINES if _engine_has(name, lambda cls: cls.flavour == "async")})
        targets = resolve_targets(harness_config, plugged.engine if plugged else None)
        # A certification request runs at the certification budget unless a profile is named.
        config.stash[_PROFILE] = load_profile(certify=bool(harness_config.adapter or harness_config.report_path))
    except (ConfigError, PluggingError, ValueError) as exc:
        if report_path:
            usage_error_report(report_path, started_at, command_line, str(exc))
        raise pytest.UsageError(str(exc)) from None
    config.stash[_TARGETS] = targets
    # How a failed contract reads (one short block); its hooks act on contracts only.
    config.pluginmanager.import_plugin(FAILURE_OUTPUT_PLUGIN)
    engines = EngineSession(harness_config, plugged, targets)
    config.stash[_SESSION] = engines
    interrupts.install(config)
    # The harness's own record of every contract, on every process that runs them.
    witness = OutcomeRecorder(lambda item: _engine_param(item) is not None)
    config.stash[_WITNESS] = witness
    config.pluginmanager.register(witness, "contract-records")
    if not hasattr(config, "workerinput"):  # xdist workers report through the controller
        config.pluginmanager.register(
            ConformanceRecorder(engines, harness_config.adapter, harness_config.report_path,
                                [t.id for t in targets], config.stash[_PROFILE], witness=witness,
                                budget=_budget(config, config.stash[_PROFILE]), started_at=started_at),
            "contract-report"
        )
    else:
        _budget(config, config.stash[_PROFILE])  # the controller's seed, before Hypothesis's plugin reads it
    config.addinivalue_line(
        "markers", "capability(name): the test exercises an optional capability from harness/capabilities.py"
    )
    config.addinivalue_line(
        "markers", "faults: a fault contract, run only on engines whose backend sets supports_faults"
    )
    config.addinivalue_line(
        "markers", f"{ASYNC_MARKER}: an async-native contract, run only on engines whose flavour is async"
    )
    config.addinivalue_line(
        "markers", "layout: checks the storage the adapter laid out, on engines with a canonical layout; runs first"
    )
    config.addinivalue_line(
        "markers", "heavy: runs many examples (seconds per engine); started first under xdist so it does not "
        "finish last"
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.stash.get(_SESSION, None)
    if session is not None:
        session.close()
    interrupts.restore(config)


def pytest_report_header(config: pytest.Config) -> list[str]:
    targets = config.stash.get(_TARGETS, [])
    engines = config.stash.get(_SESSION, None)
    plugged = engines.plugged if engines is not None else None
    return [
        f"contract engines: {', '.join(t.id for t in targets)} (provisioned after collection)",
        f"adapter under test: {plugged.spec if plugged else 'built-in adapter of each engine'}",
        f"hypothesis profile: {config.stash.get(_PROFILE, '?')}",
    ]


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # tryfirst: the engine id comes first in every test id (test_x[postgres-17-client-create]),
    # which is how the xdist controller, collecting nothing itself, tells a test's engine.
    if "engine" not in metafunc.fixturenames:
        return
    targets = metafunc.config.stash[_TARGETS]
    for marker, has in ENGINE_MARKERS.items():
        if metafunc.definition.get_closest_marker(marker) is not None:
            # Only engines that have what the contract needs; an empty set is deselected, not skipped.
            targets = [t for t in targets if _engine_has(t.engine, has)]
    if targets:
        ids = [t.id for t in targets]
        metafunc.parametrize("engine", ids, ids=ids, indirect=True, scope="session")


def _engine_has(engine: str, has: Callable[[type[Any]], bool]) -> bool:
    try:
        return has(engine_class(engine))
    except ImportError:
        return False  # driver missing: the engine is reported unavailable elsewhere


def _engine_param(item: pytest.Item) -> str | None:
    engine = getattr(getattr(item, "callspec", None), "params", {}).get("engine")
    return engine if isinstance(engine, str) else None


@pytest.hookimpl(tryfirst=True)  # before the recorder reads the ids
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unparametrized = [item for item in items
                      if any(item.get_closest_marker(marker) for marker in ENGINE_MARKERS)
                      and _engine_param(item) is None and "engine" in getattr(item, "fixturenames", ())]
    if unparametrized:
        config.hook.pytest_deselected(items=unparametrized)
        items[:] = [item for item in items if item not in unparametrized]
    for item in items:
        for mark in item.iter_markers("capability"):
            if not mark.args or mark.args[0] not in CAPABILITIES:
                raise pytest.UsageError(
                    f"{item.nodeid}: capability({mark.args!r}) is not in harness/capabilities.py; "
                    f"known: {', '.join(sorted(CAPABILITIES))}"
                )
    if hasattr(config, "workerinput"):
        # The layout first, then the longest (each worker sorts the same way, as xdist requires):
        # a heavy test dealt out last would leave one worker running it alone at the end.
        items.sort(key=lambda item: (item.get_closest_marker("layout") is None,
                                     item.get_closest_marker("heavy") is None))
        # The recorder lives on the xdist controller, which collects nothing: each report carries its engine.
        for item in items:
            engine_id = _engine_param(item)
            if engine_id is not None:
                item.user_properties.append((ENGINE_PROPERTY, engine_id))
    else:
        # The storage the adapter laid out is checked before any behaviour, so that a wrong
        # layout is the first failure an author sees (and the one a -x run stops at).
        items.sort(key=lambda item: item.get_closest_marker("layout") is None)


def pytest_deselected(items: list[pytest.Item]) -> None:
    if items and hasattr(items[0].config, "workerinput"):
        counts = items[0].config.stash.setdefault(_DESELECTED, Counter())
        for item in items:
            engine_id = _engine_param(item)
            if engine_id is not None:
                counts[engine_id] += 1


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Exit statuses of the harness; on an xdist worker, hand its facts to the controller (workeroutput)."""
    output = getattr(session.config, "workeroutput", None)
    engines = session.config.stash.get(_SESSION, None)
    if engines is None:
        return
    if output is None:
        if engines.usage_error is not None:
            session.exitstatus = USAGE_ERROR_EXIT
        elif engines.required_failure is not None:
            # A worker stopped the run for a required engine: same exit code as without xdist.
            session.exitstatus = REQUIRED_ENGINE_EXIT
        return
    output["contract_required_failure"] = engines.required_failure
    output["contract_usage_error"] = engines.usage_error
    output["contract_engines"] = {engine_id: started.facts() for engine_id, started in engines.started.items()}
    output["contract_unavailable"] = dict(engines.unavailable)
    output["contract_deselected"] = dict(session.config.stash.get(_DESELECTED, None) or {})
    output["contract_witness"] = session.config.stash[_WITNESS].witness(session.config)
    engines.close()
    output["contract_cleanup_errors"] = list(engines.cleanup_errors)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """On the xdist controller: keep each worker's engines for the summary and the report."""
    interrupts.worker_ended(node)
    engines = node.config.stash.get(_SESSION, None)
    output = getattr(node, "workeroutput", None) or {}
    if engines is None:
        return
    for engine_id, facts in output.get("contract_engines", {}).items():
        engines.remote.setdefault(engine_id, facts)
        if facts.get("dead"):
            engines.remote[engine_id]["dead"] = facts["dead"]
    for engine_id, reason in output.get("contract_unavailable", {}).items():
        engines.unavailable.setdefault(engine_id, reason)
    if output.get("contract_required_failure"):
        engines.required_failure = engines.required_failure or output["contract_required_failure"]
    if output.get("contract_usage_error"):
        engines.usage_error = engines.usage_error or output["contract_usage_error"]
    engines.cleanup_errors.extend(output.get("contract_cleanup_errors", ()))
    recorder = node.config.pluginmanager.get_plugin("contract-report")
    for engine_id, count in output.get("contract_deselected", {}).items() if recorder else ():
        # Every worker collects and deselects the same items.
        recorder.deselected[engine_id] = max(recorder.deselected[engine_id], count)
    if recorder is not None and "contract_witness" in output:
        recorder.absorb(output["contract_witness"])


@pytest.hookimpl(tryfirst=True)
def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, str] | None:
    """Contracts that could not run because their engine is down or unusable are one category,
    counted in the summary line, not hundreds of identical failure sections."""
    if report.failed and any(key == ENGINE_DOWN_PROPERTY for key, _ in getattr(report, "user_properties", ())):
        return "engine down", "D", "ENGINE DOWN"
    return None


def _declined_but(adapter: Adapter, name: str, declared: type[AdapterError], what: str) -> str:
    return (f"{type(adapter).__name__} declares capability {name!r} unsupported with {declared.__name__}, "
            f"but its probe {what}\n"
            f"adapter:   the probe of {name!r} {what}\n"
            f"reference: an adapter that declines {name!r} raises {declared.__name__} there, with nothing written")


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """On an adapter that declined the test's capability, check the declared error instead."""
    adapter = pyfuncitem.funcargs.get("adapter")
    if adapter is None and isinstance(started := pyfuncitem.funcargs.get("engine"), StartedEngine):
        adapter = started.adapter  # a test that takes ``fresh`` instead
    if not isinstance(adapter, Adapter):
        return None
    for mark in pyfuncitem.iter_markers("capability"):
        name = mark.args[0]
        declared = type(adapter).unsupported.get(name)
        if declared is None:
            continue
        engine = pyfuncitem.funcargs.get("engine")
        snapshot = engine.snapshot if isinstance(engine, StartedEngine) else None
        before = snapshot() if snapshot else None
        try:
            CAPABILITIES[name].probe(adapter)
        except AdapterError as exc:
            if not isinstance(exc, declared):
                raise AssertionError(_declined_but(adapter, name, declared,
                                                   f"raised {type(exc).__name__}: {exc}")) from exc
        else:
            raise AssertionError(_declined_but(adapter, name, declared, "succeeded"))
        if snapshot is not None:
            assert snapshot() == before, _declined_but(adapter, name, declared, "wrote to storage")
        pyfuncitem.user_properties.append((DECLINED_PROPERTY, name))
        return True
    return None


def _selected_engines(items: list[pytest.Item]) -> list[str]:
    seen: list[str] = []
    for item in items:
        engine = _engine_param(item)
        if engine is not None and engine not in seen:
            seen.append(engine)
    return seen


@pytest.hookimpl(tryfirst=True)  # before xdist's worker sends the collected ids
def pytest_collection_finish(session: pytest.Session) -> None:
    """Provision every engine that has selected tests, and say how, before any test runs."""
    _freeze_survivors()
    if session.config.option.collectonly:
        return
    engines = session.config.stash[_SESSION]
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for engine_id in _selected_engines(session.items):
        try:
            started = engines.get(engine_id)
        except FactoryError as exc:
            _stop(session, str(exc), USAGE_ERROR_EXIT)
            return
        except EngineUnavailable as exc:
            if engines.required(engine_id):
                _stop(session, f"required engine unavailable: {exc}", REQUIRED_ENGINE_EXIT)
                return
            line = f"engine {engine_id}: SKIPPED - {exc}"
        else:
            line = f"engine {engine_id}: {started.describe()}"
        if reporter is not None:
            reporter.write_line(line)
    _freeze_survivors()  # the engines: only what was made since the first call is walked


def _freeze_survivors() -> None:
    """What lives until the run ends, out of the cyclic collector's reach: every later collection stops
    walking it, pytest's five at its exit too.  Called as the run configures (what it imported), once
    it has collected (the items) and once it has provisioned (the engines); each call walks only what
    came since the last.  A serial PostgreSQL certification: 12.9 -> 12.4 CPU-s.  A run that collects
    only, or stops at provisioning or at a usage error, had it all walked five times at its exit:
    --collect-only of the whole suite 2.0-2.1 -> 1.25-1.3 s, a run whose required engine is missing
    0.69-0.77 -> 0.50-0.55 s.  What is garbage is collected first; reference counting still frees what
    the tests make."""
    gc.collect()
    gc.freeze()


def _stop(session: pytest.Session, message: str, status: int, *, running: bool = False) -> None:
    """End the run with one clear message (a required engine missing, a broken adapter factory).

    On an xdist worker, ``pytest.exit`` would end the worker with its tests
    still queued, which the controller reports only as a crashed item (an
    INTERNALERROR that hides the reason).  ``shouldfail`` is the channel
    xdist carries to the controller, which stops the run and prints it; the
    exit status travels in the worker's output.
    """
    engines = session.config.stash[_SESSION]
    if status == USAGE_ERROR_EXIT:
        engines.usage_error = message
    else:
        engines.required_failure = message
    if status == USAGE_ERROR_EXIT and not running:
        # Nothing runs: every worker deselects everything (so their collections agree) and the
        # controller prints the one line; serially pytest prints it as it prints its own.
        session.items.clear()
        if hasattr(session.config, "workerinput"):
            return
        engines.usage_error_shown = True
        raise pytest.UsageError(message)
    if hasattr(session.config, "workerinput"):
        session.shouldfail = message
        return
    pytest.exit(message, returncode=status)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    engines = terminalreporter.config.stash.get(_SESSION, None)
    if engines is None or not (engines.started or engines.unavailable or engines.remote):
        return
    terminalreporter.section("contract engines")
    for engine_id, started in engines.started.items():
        terminalreporter.write_line(f"{engine_id}: {started.describe()}")
    for engine_id, facts in engines.remote.items():
        terminalreporter.write_line(f"{engine_id}: {facts['line']} (on each xdist worker)")
    for engine_id, reason in engines.unavailable.items():
        terminalreporter.write_line(f"{engine_id}: SKIPPED - {reason}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A contract stopped by :class:`EngineDown` reports the engine's one line, not a traceback."""
    report: pytest.TestReport = yield
    if call.excinfo is not None and call.excinfo.errisinstance(EngineDown):
        reason = str(call.excinfo.value)
        report.longrepr = reason
        report.user_properties.append((ENGINE_DOWN_PROPERTY, reason))
    elif report.failed and call.when == "call":
        # A contract that failed because its server went away mid-call is the engine's failure,
        # not the adapter's: one read (with its one reconnect) tells them apart.
        engines = item.config.stash.get(_SESSION, None)
        engine_id = _engine_param(item)
        started = engines.started.get(engine_id) if engines is not None and engine_id else None
        if started is not None and started.dead is None and started.unusable is None:
            with contextlib.suppress(EngineDown):
                started.snapshot()
        # Then the server's resources, from a fresh connection and counted by who holds them; a
        # restart is the server's fault except in a fault contract, which restarts it on purpose.
        deliberate = item.get_closest_marker("faults") is not None
        fault = started.dead or started.server_fault_now(restart_is_fault=not deliberate) \
            or started.fault_in(str(report.longrepr)) if started is not None else None
        if fault:
            report.longrepr = fault
            report.user_properties.append((ENGINE_DOWN_PROPERTY, fault))
    return report


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """An outage the harness's connection went through excuses only the contract it cut."""
    engines = item.config.stash.get(_SESSION, None)
    engine_id = _engine_param(item)
    started = engines.started.get(engine_id) if engines is not None and engine_id else None
    if started is not None:
        started.outage = False


@pytest.fixture(scope="session")
def engine(request: pytest.FixtureRequest) -> StartedEngine:
    """The provisioned engine for this test's parametrization (skipped if unavailable)."""
    engines = request.config.stash[_SESSION]
    try:
        return engines.get(request.param)
    except FactoryError as exc:
        _stop(request.session, str(exc), USAGE_ERROR_EXIT, running=True)
        pytest.fail(str(exc), pytrace=False)
    except EngineUnavailable as exc:
        if engines.required(request.param):
            _stop(request.session, f"required engine unavailable: {exc}", REQUIRED_ENGINE_EXIT, running=True)
            pytest.fail(f"required engine unavailable: {exc}", pytrace=False)
        pytest.skip(str(exc))


@pytest.fixture(autouse=True)
def _storage_usable(request: pytest.FixtureRequest) -> None:
    """Every contract of an engine whose storage is unusable or whose server died fails at once,
    with the engine's one-line reason; the layout check still runs on unusable storage."""
    if "engine" not in request.fixturenames:
        return
    started = request.getfixturevalue("engine")
    if not isinstance(started, StartedEngine):
        return
    if started.dead is None and (started.unusable is None or request.node.get_closest_marker("layout")):
        return
    raise EngineDown(started.dead or started.unusable or "")


@pytest.fixture
def fresh(engine: StartedEngine) -> Callable[[], Adapter]:
    """Empty the engine's storage and return its adapter; call once per Hypothesis example."""

    def reset() -> Adapter:
        engine.reset()
        return engine.adapter

    return reset


@pytest.fixture
def adapter(fresh: Callable[[], Adapter]) -> Adapter:
    """The engine's adapter on empty storage."""
    return fresh()


@pytest.fixture
def second_adapter(engine: StartedEngine, adapter: Adapter) -> Iterator[Adapter]:
    """Another adapter instance on the same storage as ``adapter`` (its own connection)."""
    other = engine.new_adapter()
    yield other
    other.close()


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Callable[[str, int], None]:
    """Count things a contract tried (hostile inputs, faults, races) into the report, per engine."""

    witness = request.config.stash[_WITNESS]

    def add(kind: str, count: int = 1) -> None:
        request.node.user_properties.append((TALLY_PREFIX + kind, count))
        witness.tally(request.node.nodeid, kind, count)  # kept out of the report's reach

    return add


@pytest.fixture
def raw_snapshot(engine: StartedEngine) -> Callable[[], dict[str, list[tuple[object, ...]]]]:
    """Read every canonical table/collection directly, bypassing the adapter under test."""
    return engine.snapshot
