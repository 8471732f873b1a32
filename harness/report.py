"""The conformance report: what passed where, built from the run's own results.

After a run the terminal shows a matrix of engines x contract areas and one
certification line per engine; ``--conformance-report PATH`` also writes
``PATH.json`` (machine-readable) and ``PATH.md`` (a table to paste into a README).

An adapter is certified for an engine only when every contract was selected
and passed there.  A stand-in engine is never a certification of the real one.
"""

from __future__ import annotations

import json
import pkgutil
import platform
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from harness.session import EngineSession

__all__ = ["ENGINE_PROPERTY", "ConformanceRecorder", "TestOutcome", "Verdict", "suite_version"]

ENGINE_PROPERTY = "contract_engine"
AREA_PROPERTY = "contract_area"
TALLY_PREFIX = "tally:"
DECLINED_PROPERTY = "declined_capability"


def suite_version() -> str:
    try:
        return metadata.version("adapter-contracts")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


@dataclass
class TestOutcome:
    nodeid: str
    engine: str
    area: str
    outcome: str  # passed | failed | error | skipped
    reason: str = ""
    duration: float = 0.0
    declined: str | None = None


@dataclass
class Verdict:
    engine: str
    certified: bool
    summary: str
    counts: dict[str, int] = field(default_factory=dict)


def _engine_of(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    engine = callspec.params.get("engine") if callspec is not None else None
    return engine if isinstance(engine, str) else None


def _area_of(nodeid: str) -> str:
    module = nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
    return module.removesuffix(".py").removeprefix("test_")


def _module_of(item: pytest.Item) -> str | None:
    module = getattr(item, "module", None)
    return getattr(module, "__name__", None)


def contract_modules() -> set[str]:
    """Every contract module the suite ships (contracts/test_*.py)."""
    import contracts

    return {f"contracts.{m.name}" for m in pkgutil.iter_modules(contracts.__path__) if m.name.startswith("test_")}


def _reason(report: pytest.TestReport) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    crash = getattr(report.longrepr, "reprcrash", None)
    message = getattr(crash, "message", None) or str(report.longrepr or "")
    return message.strip().splitlines()[0][:300] if message.strip() else ""


class ConformanceRecorder:
    """A pytest plugin object: records contract outcomes and prints/writes the report."""

    def __init__(self, engines: EngineSession, adapter_spec: str | None, path: str | None) -> None:
        self.engines = engines
        self.adapter_spec = adapter_spec
        self.path = path
        self.outcomes: dict[str, TestOutcome] = {}
        self.deselected: Counter[str] = Counter()
        self.collected: Counter[str] = Counter()
        self.collected_modules: set[str] = set()
        #: engine -> counter name -> total, from the ``tally`` fixture
        self.tallies: dict[str, Counter[str]] = defaultdict(Counter)
        #: engine -> counter name -> seconds spent in the tests that counted it
        self.tally_seconds: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))

    # -- hooks ---------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_itemcollected(self, item: pytest.Item) -> None:
        module = _module_of(item)
        if module is not None:
            self.collected_modules.add(module)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        # trylast: counts what survives -k/-m deselection done by earlier hooks.
        for item in items:
            engine = _engine_of(item)
            if engine is not None:
                self.collected[engine] += 1
                item.user_properties.append((ENGINE_PROPERTY, engine))
                module = _module_of(item)
                if module is not None:
                    item.user_properties.append((AREA_PROPERTY, module.rsplit(".", 1)[-1].removeprefix("test_")))

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        for item in items:
            engine = _engine_of(item)
            if engine is not None:
                self.deselected[engine] += 1

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # The engine travels in user_properties so that xdist workers' reports carry it too.
        properties = dict(report.user_properties)
        engine = properties.get(ENGINE_PROPERTY)
        if not isinstance(engine, str):
            return
        if report.when == "call":
            for key, value in report.user_properties:
                if isinstance(key, str) and key.startswith(TALLY_PREFIX) and isinstance(value, int):
                    self.tallies[engine][key.removeprefix(TALLY_PREFIX)] += value
            for kind in {k.removeprefix(TALLY_PREFIX) for k, _ in report.user_properties
                         if isinstance(k, str) and k.startswith(TALLY_PREFIX)}:
                self.tally_seconds[engine][kind] += report.duration
        previous = self.outcomes.get(report.nodeid)
        if report.when == "call" or report.failed or report.skipped:
            outcome = "passed" if report.passed else ("skipped" if report.skipped else "failed")
            if report.failed and report.when != "call":
                outcome = "error"
            if previous is not None and previous.outcome in ("failed", "error"):
                return  # a teardown pass never hides a failure
            declined = properties.get(DECLINED_PROPERTY)
            self.outcomes[report.nodeid] = TestOutcome(
                report.nodeid, engine, str(properties.get(AREA_PROPERTY) or _area_of(report.nodeid)), outcome,
                "" if report.passed else _reason(report), round(report.duration, 4),
                declined if isinstance(declined, str) else None,
            )

    # -- verdicts ------------------------------------------------------------

    def verdicts(self) -> list[Verdict]:
        per_engine: dict[str, list[TestOutcome]] = defaultdict(list)
        for outcome in self.outcomes.values():
            per_engine[outcome.engine].append(outcome)
        verdicts = []
        for engine in sorted(set(per_engine) | {e for e, n in self.collected.items() if n}):
            results = per_engine.get(engine, [])
            counts = Counter(o.outcome for o in results)
            # Under xdist the controller collects nothing, so "did not run" is only known serially.
            not_run = self.collected[engine] - len(results) if self.collected[engine] else 0
            backend_note = ""
            started = self.engines.started.get(engine)
            remote = self.engines.remote.get(engine, {})  # xdist: what the workers provisioned
            if (started is not None and started.backend.stand_in) or remote.get("stand_in"):
                backend_note = "; run on a stand-in: not a certification of the real engine"
            problems = []
            if counts["failed"] or counts["error"]:
                failed = [o for o in results if o.outcome in ("failed", "error")]
                areas = sorted({o.area for o in failed})
                problems.append(f"{len(failed)} failed (areas: {', '.join(areas)})")
            if counts["skipped"]:
                reasons = sorted({o.reason for o in results if o.outcome == "skipped"})
                problems.append(f"{counts['skipped']} skipped ({'; '.join(reasons)[:200]})")
            if self.deselected[engine]:
                problems.append(f"{self.deselected[engine]} contracts deselected (-k/-m): a partial run")
            if not_run > 0:
                problems.append(f"{not_run} contracts did not run")
            # Selecting contract files by path is a partial run too (xdist's controller collects nothing).
            missing = sorted(contract_modules() - self.collected_modules) if self.collected_modules else []
            if missing:
                names = ", ".join(m.rsplit(".", 1)[-1].removeprefix("test_") for m in missing)
                problems.append(f"partial run: contract areas not collected: {names}")
            certified = not problems and not backend_note and bool(results)
            declined = sorted({o.declined for o in results if o.declined})
            limits_note = f", with declared limitations: {', '.join(declined)}" if declined else ""
            if certified:
                summary = f"CERTIFIED: all {len(results)} contracts passed{limits_note}"
            elif not problems and results:
                summary = f"all {len(results)} contracts passed{limits_note}{backend_note}"
            else:
                summary = "NOT CERTIFIED: " + "; ".join(problems or ["no contract ran"])
            verdicts.append(Verdict(engine, certified, summary, dict(counts)))
        return verdicts

    def matrix(self) -> tuple[list[str], list[str], dict[tuple[str, str], str]]:
        engines = sorted({o.engine for o in self.outcomes.values()})
        areas = sorted({o.area for o in self.outcomes.values()})
        cells: dict[tuple[str, str], str] = {}
        for engine in engines:
            for area in areas:
                results = [o for o in self.outcomes.values() if o.engine == engine and o.area == area]
                counts = Counter(o.outcome for o in results)
                if not results:
                    cells[engine, area] = "-"
                elif counts["failed"] or counts["error"]:
                    cells[engine, area] = f"FAIL {counts['failed'] + counts['error']}/{len(results)}"
                elif counts["skipped"] == len(results):
                    cells[engine, area] = "skip"
                elif all(o.declined for o in results):
                    cells[engine, area] = "declined"
                else:
                    cells[engine, area] = f"pass {counts['passed']}" + (
                        f" (skip {counts['skipped']})" if counts["skipped"] else "")
        return engines, areas, cells

    # -- output --------------------------------------------------------------

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.outcomes:
            return
        engines, areas, cells = self.matrix()
        terminalreporter.section("conformance")
        width = max(len(a) for a in areas) + 2
        col = max(12, *(len(e) + 2 for e in engines))
        terminalreporter.write_line("area".ljust(width) + "".join(e.ljust(col) for e in engines))
        for area in areas:
            terminalreporter.write_line(area.ljust(width) + "".join(cells[e, area].ljust(col) for e in engines))
        for verdict in self.verdicts():
            terminalreporter.write_line(f"{verdict.engine}: {verdict.summary}")
        for engine, tally in sorted(self.tallies.items()):
            figures = ", ".join(self._figure(engine, name, count) for name, count in sorted(tally.items()))
            terminalreporter.write_line(f"{engine} counts: {figures}")
        if self.path:
            json_path, md_path = self.write(self.path)
            terminalreporter.write_line(f"conformance report: {json_path} and {md_path}")

    def _figure(self, engine: str, name: str, count: int) -> str:
        seconds = self.tally_seconds[engine].get(name, 0.0)
        rate = f" ({count / seconds:.0f}/s)" if name.endswith("examples") and seconds > 0 else ""
        return f"{name} {count}{rate}"

    def document(self) -> dict[str, Any]:
        engines: dict[str, Any] = {}
        for verdict in self.verdicts():
            started = self.engines.started.get(verdict.engine)
            endpoint = started.endpoint if started else None
            remote = self.engines.remote.get(verdict.engine, {})  # xdist: what the workers provisioned
            engines[verdict.engine] = {
                "certified": verdict.certified,
                "verdict": verdict.summary,
                "counts": verdict.counts,
                "stand_in": bool(started and started.backend.stand_in) or bool(remote.get("stand_in")),
                "provider": endpoint.provider if endpoint else remote.get("provider"),
                "server_version": endpoint.server_version if endpoint else remote.get("server_version"),
                "driver": endpoint.driver if endpoint else remote.get("driver"),
                "adapter": self.adapter_spec or (
                    type(started.adapter).__module__ + ":" + type(started.adapter).__qualname__
                    if started else remote.get("adapter")),
                "unavailable": self.engines.unavailable.get(verdict.engine),
                "counts_by_kind": dict(self.tallies.get(verdict.engine, {})),
            }
        return {
            "suite": "adapter-contracts",
            "suite_version": suite_version(),
            "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "engines": engines,
            "tests": [asdict(o) for o in self.outcomes.values()],
        }

    def markdown(self) -> str:
        engines, areas, cells = self.matrix()
        doc = self.document()
        lines = [
            f"# Conformance report (adapter-contracts {doc['suite_version']})",
            "",
            "| engine | adapter | server | driver | verdict |",
            "|---|---|---|---|---|",
        ]
        for engine, info in doc["engines"].items():
            lines.append(f"| {engine} | `{info['adapter']}` | {info['server_version']} | {info['driver']} "
                         f"| {info['verdict']} |")
        lines += ["", "| area | " + " | ".join(engines) + " |", "|---" * (len(engines) + 1) + "|"]
        lines += [f"| {area} | " + " | ".join(cells[e, area] for e in engines) + " |" for area in areas]
        failures = [o for o in self.outcomes.values() if o.outcome in ("failed", "error")]
        if failures:
            lines += ["", "## Failures", ""]
            lines += [f"- `{o.nodeid}`: {o.reason}" for o in failures]
        return "\n".join(lines) + "\n"

    def write(self, path: str) -> tuple[Path, Path]:
        base = Path(path)
        if base.suffix in (".json", ".md"):
            base = base.with_suffix("")
        base.parent.mkdir(parents=True, exist_ok=True)
        json_path, md_path = base.with_suffix(".json"), base.with_suffix(".md")
        json_path.write_text(json.dumps(self.document(), indent=2, default=str) + "\n", encoding="utf-8")
        md_path.write_text(self.markdown(), encoding="utf-8")
        return json_path, md_path
