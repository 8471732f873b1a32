"""The pytest plugin: options, engine parametrization, fixtures, header lines.

Every test that asks for ``adapter`` (or ``engine``) runs once per selected
engine, with the engine id in its test id, so ``pytest -k postgres`` selects
one engine.  Engines are provisioned after collection, only for the engines
whose tests were selected.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from adapters.base import Adapter
from adapters.errors import AdapterError
from harness.capabilities import CAPABILITIES
from harness.config import OPTIONS, ConfigError, HarnessConfig
from harness.engines import BACKENDS, resolve_engine_ids
from harness.faults import supports_faults
from harness.plugging import PluggingError, load_factory
from harness.profiles import load_profile
from harness.report import DECLINED_PROPERTY, ENGINE_PROPERTY, TALLY_PREFIX, ConformanceRecorder
from harness.session import EngineSession, EngineUnavailable, StartedEngine

#: Exit status when a required engine cannot be provisioned (pytest's INTERNAL_ERROR is also 3).
REQUIRED_ENGINE_EXIT = 3

_SESSION = pytest.StashKey[EngineSession]()
_ENGINE_IDS = pytest.StashKey[list[str]]()
_PROFILE = pytest.StashKey[str]()
_DESELECTED = pytest.StashKey[Counter[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract harness")
    for option in OPTIONS:
        action = "append" if option.multiple else "store"
        group.addoption(option.flag, action=action, dest=option.dest, default=None,
                        help=f"{option.help} [env {option.env}, ini {option.ini}]")
        parser.addini(option.ini, option.help)


def pytest_configure(config: pytest.Config) -> None:
    try:
        harness_config = HarnessConfig.from_pytest(config, os.environ)
        plugged = None
        if harness_config.adapter:
            plugged = load_factory(harness_config.adapter, set(BACKENDS))
        config.stash[_ENGINE_IDS] = resolve_engine_ids(harness_config, plugged.engine if plugged else None)
        config.stash[_PROFILE] = load_profile()
    except (ConfigError, PluggingError, ValueError) as exc:
        raise pytest.UsageError(str(exc)) from None
    engines = EngineSession(harness_config, plugged)
    config.stash[_SESSION] = engines
    if not hasattr(config, "workerinput"):  # xdist workers report through the controller
        config.pluginmanager.register(
            ConformanceRecorder(engines, harness_config.adapter, harness_config.report_path), "contract-report"
        )
    config.addinivalue_line(
        "markers", "capability(name): the test exercises an optional capability from harness/capabilities.py"
    )
    config.addinivalue_line(
        "markers", "faults: a fault contract, run only on engines whose backend sets supports_faults"
    )
    config.addinivalue_line(
        "markers", "heavy: runs many examples (seconds per engine); started first under xdist so it does not "
        "finish last"
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.stash.get(_SESSION, None)
    if session is not None:
        session.close()


def pytest_report_header(config: pytest.Config) -> list[str]:
    ids = config.stash.get(_ENGINE_IDS, [])
    engines = config.stash.get(_SESSION, None)
    plugged = engines.plugged if engines is not None else None
    return [
        f"contract engines: {', '.join(ids)} (provisioned after collection)",
        f"adapter under test: {plugged.spec if plugged else 'built-in adapter of each engine'}",
        f"hypothesis profile: {config.stash.get(_PROFILE, '?')}",
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" in metafunc.fixturenames:
        ids = metafunc.config.stash[_ENGINE_IDS]
        if metafunc.definition.get_closest_marker("faults") is not None:
            # Only engines with a network link to break; an empty set is deselected, not skipped.
            ids = [engine_id for engine_id in ids if supports_faults(engine_id)]
            if not ids:
                return
        metafunc.parametrize("engine", ids, ids=ids, indirect=True, scope="session")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unparametrized = [item for item in items if item.get_closest_marker("faults") is not None
                      and "engine" not in getattr(getattr(item, "callspec", None), "params", {})]
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
        # Longest first (each worker sorts the same way, as xdist requires): a heavy test
        # dealt out last would leave one worker running it alone at the end.
        items.sort(key=lambda item: item.get_closest_marker("heavy") is None)
        # The recorder lives on the xdist controller, which collects nothing: each report carries its engine.
        for item in items:
            engine_id = getattr(getattr(item, "callspec", None), "params", {}).get("engine")
            if isinstance(engine_id, str):
                item.user_properties.append((ENGINE_PROPERTY, engine_id))


def pytest_deselected(items: list[pytest.Item]) -> None:
    if items and hasattr(items[0].config, "workerinput"):
        counts = items[0].config.stash.setdefault(_DESELECTED, Counter())
        for item in items:
            engine_id = getattr(getattr(item, "callspec", None), "params", {}).get("engine")
            if isinstance(engine_id, str):
                counts[engine_id] += 1


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On an xdist worker: hand what it provisioned and deselected to the controller (workeroutput)."""
    output = getattr(session.config, "workeroutput", None)
    engines = session.config.stash.get(_SESSION, None)
    if engines is None:
        return
    if output is None:
        if engines.required_failure is not None:
            # A worker stopped the run for a required engine: same exit code as without xdist.
            session.exitstatus = REQUIRED_ENGINE_EXIT
        return
    output["contract_required_failure"] = engines.required_failure
    output["contract_engines"] = {
        engine_id: {
            "line": _describe(started), "provider": started.endpoint.provider,
            "server_version": started.endpoint.server_version, "driver": started.endpoint.driver,
            "stand_in": started.backend.stand_in,
            "adapter": f"{type(started.adapter).__module__}:{type(started.adapter).__qualname__}",
        }
        for engine_id, started in engines.started.items()
    }
    output["contract_unavailable"] = dict(engines.unavailable)
    output["contract_deselected"] = dict(session.config.stash.get(_DESELECTED, None) or {})


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """On the xdist controller: keep each worker's engines for the summary and the report."""
    engines = node.config.stash.get(_SESSION, None)
    output = getattr(node, "workeroutput", None) or {}
    if engines is None:
        return
    for engine_id, facts in output.get("contract_engines", {}).items():
        engines.remote.setdefault(engine_id, facts)
    for engine_id, reason in output.get("contract_unavailable", {}).items():
        engines.unavailable.setdefault(engine_id, reason)
    if output.get("contract_required_failure"):
        engines.required_failure = engines.required_failure or output["contract_required_failure"]
    recorder = node.config.pluginmanager.get_plugin("contract-report")
    for engine_id, count in output.get("contract_deselected", {}).items() if recorder else ():
        # Every worker collects and deselects the same items.
        recorder.deselected[engine_id] = max(recorder.deselected[engine_id], count)


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
        snapshot = engine.backend.snapshot if isinstance(engine, StartedEngine) else None
        before = snapshot() if snapshot else None
        try:
            CAPABILITIES[name].probe(adapter)
        except AdapterError as exc:
            if not isinstance(exc, declared):
                raise AssertionError(
                    f"{type(adapter).__name__} declares capability {name!r} unsupported with "
                    f"{declared.__name__}, but its probe raised {type(exc).__name__}: {exc}"
                ) from exc
        else:
            raise AssertionError(
                f"{type(adapter).__name__} declares capability {name!r} unsupported with "
                f"{declared.__name__}, but its probe succeeded"
            )
        if snapshot is not None:
            assert snapshot() == before, f"declined capability {name!r} wrote to storage"
        pyfuncitem.user_properties.append((DECLINED_PROPERTY, name))
        return True
    return None


def _selected_engines(items: list[pytest.Item]) -> list[str]:
    seen: list[str] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        engine = callspec.params.get("engine") if callspec is not None else None
        if engine is not None and engine not in seen:
            seen.append(engine)
    return seen


def pytest_collection_finish(session: pytest.Session) -> None:
    """Provision every engine that has selected tests, and say how, before any test runs."""
    if session.config.option.collectonly:
        return
    engines = session.config.stash[_SESSION]
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    for engine_id in _selected_engines(session.items):
        try:
            started = engines.get(engine_id)
        except EngineUnavailable as exc:
            if engines.config.required(engine_id):
                _stop_required(session, exc)
                return
            line = f"engine {engine_id}: SKIPPED - {exc}"
        else:
            line = f"engine {engine_id}: {_describe(started)}"
        if reporter is not None:
            reporter.write_line(line)


def _stop_required(session: pytest.Session, exc: EngineUnavailable) -> None:
    """End the run with one clear message when a required engine cannot be provisioned.

    On an xdist worker, ``pytest.exit`` would end the worker with its tests
    still queued, which the controller reports only as a crashed item (an
    INTERNALERROR that hides the reason).  ``shouldfail`` is the channel
    xdist carries to the controller, which stops the run and prints it.
    """
    message = f"required engine unavailable: {exc}"
    session.config.stash[_SESSION].required_failure = message
    if hasattr(session.config, "workerinput"):
        session.shouldfail = message
        return
    pytest.exit(message, returncode=REQUIRED_ENGINE_EXIT)


def _describe(started: StartedEngine) -> str:
    label = " [STAND-IN, not a certified MongoDB run]" if started.backend.stand_in else ""
    ep = started.endpoint
    return (f"{ep.server_version} via {ep.provider} ({ep.driver}), "
            f"ready in {started.startup_seconds:.2f}s{label}")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    engines = terminalreporter.config.stash.get(_SESSION, None)
    if engines is None or not (engines.started or engines.unavailable or engines.remote):
        return
    terminalreporter.section("contract engines")
    for engine_id, started in engines.started.items():
        terminalreporter.write_line(f"{engine_id}: {_describe(started)}")
    for engine_id, facts in engines.remote.items():
        terminalreporter.write_line(f"{engine_id}: {facts['line']} (on each xdist worker)")
    for engine_id, reason in engines.unavailable.items():
        terminalreporter.write_line(f"{engine_id}: SKIPPED - {reason}")


@pytest.fixture(scope="session")
def engine(request: pytest.FixtureRequest) -> StartedEngine:
    """The provisioned engine for this test's parametrization (skipped if unavailable)."""
    engines = request.config.stash[_SESSION]
    try:
        return engines.get(request.param)
    except EngineUnavailable as exc:
        if engines.config.required(request.param):
            _stop_required(request.session, exc)
            pytest.fail(f"required engine unavailable: {exc}", pytrace=False)
        pytest.skip(str(exc))


@pytest.fixture
def fresh(engine: StartedEngine) -> Callable[[], Adapter]:
    """Empty the engine's storage and return its adapter; call once per Hypothesis example."""

    def reset() -> Adapter:
        engine.backend.reset()
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

    def add(kind: str, count: int = 1) -> None:
        request.node.user_properties.append((TALLY_PREFIX + kind, count))

    return add


@pytest.fixture
def raw_snapshot(engine: StartedEngine) -> Callable[[], dict[str, list[tuple[object, ...]]]]:
    """Read every table/collection directly, bypassing the adapter under test."""
    return engine.backend.snapshot
