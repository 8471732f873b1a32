"""The conformance report: a certificate per engine, built from the run's own results.

After a run the terminal shows a matrix of engines x contract areas and one
verdict per engine; ``--conformance-report PATH`` also writes ``PATH.json``
(machine-readable) and ``PATH.md`` (a table to paste into a README).

An adapter is certified for an engine only when the run completed (not
interrupted, not stopped early, no crashed worker) and every contract of the
suite was collected, ran and passed there.  A stand-in engine is never a
certification of the real one.
"""

from __future__ import annotations

import json
import platform
from collections import Counter, defaultdict
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from adapter_contracts.harness.faults import supports_faults
from adapter_contracts.harness.report.outcomes import (
    _EXAMPLES,
    _HYPOTHESIS_STATS,
    DECLINED_PROPERTY,
    ENGINE_DOWN_PROPERTY,
    ENGINE_PROPERTY,
    TALLY_PREFIX,
    TestOutcome,
    Verdict,
    _area_of,
    _reason,
    adapter_distribution,
    contract_files,
    coverage_options,
    engine_of_nodeid,
    is_contract,
    suite_commit,
    suite_version,
)
from adapter_contracts.harness.session import EngineSession, EngineUnavailable

__all__ = ["ConformanceRecorder"]


class ConformanceRecorder:
    """A pytest plugin object: records contract outcomes and prints/writes the report."""

    def __init__(self, engines: EngineSession, adapter_spec: str | None, path: str | None,
                 engine_ids: list[str] | None = None, profile: str | None = None) -> None:
        self.engines = engines
        self.adapter_spec = adapter_spec
        self.path = path
        self.engine_ids = list(engine_ids or [])
        self.profile = profile
        self.outcomes: dict[str, TestOutcome] = {}
        self.deselected: Counter[str] = Counter()
        #: engine -> node ids of the contracts collected for it (after -k/-m deselection)
        self.collected: dict[str, set[str]] = defaultdict(set)
        #: engine -> counter name -> total, from the ``tally`` fixture
        self.tallies: dict[str, Counter[str]] = defaultdict(Counter)
        #: engine -> counter name -> seconds spent in the tests that counted it
        self.tally_seconds: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.examples: Counter[str] = Counter()
        self.interrupted: str | None = None
        self.exitstatus: int | None = None
        self.options: list[str] = []
        #: Why a run that was asked to certify exits non-zero although pytest would not.
        self.nothing_certified: str | None = None
        self.written: tuple[Path, Path] | None = None

    # -- hooks ---------------------------------------------------------------

    def _collect(self, nodeid: str, engine: str | None) -> None:
        if engine is not None and is_contract(nodeid):
            self.collected[engine].add(nodeid)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        # trylast: counts what survives -k/-m deselection done by earlier hooks.
        self.options = coverage_options(config)
        for item in items:
            engine = getattr(getattr(item, "callspec", None), "params", {}).get("engine")
            if isinstance(engine, str):
                self._collect(item.nodeid, engine)
                item.user_properties.append((ENGINE_PROPERTY, engine))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        # The controller collects nothing itself: each worker says what it collected (after -k/-m).
        self.options = coverage_options(node.config)
        for nodeid in ids:
            self._collect(nodeid, engine_of_nodeid(nodeid, self.engine_ids))

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        for item in items:
            engine = getattr(getattr(item, "callspec", None), "params", {}).get("engine")
            if isinstance(engine, str) and is_contract(item.nodeid):
                self.deselected[engine] += 1

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        self.interrupted = str(excinfo.value) or excinfo.typename

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # The engine travels in user_properties so that xdist workers' reports carry it too.
        properties = dict(report.user_properties)
        engine = properties.get(ENGINE_PROPERTY)
        if not isinstance(engine, str) or not is_contract(report.nodeid):
            return
        stats = report.__dict__.get(_HYPOTHESIS_STATS)
        if isinstance(stats, str):
            self.examples[engine] += sum(sum(map(int, m)) for m in _EXAMPLES.findall(stats))
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
                report.nodeid, engine, _area_of(report.nodeid), outcome,
                "" if report.passed else _reason(report), round(report.duration, 4),
                declined if isinstance(declined, str) else None,
                ENGINE_DOWN_PROPERTY in properties,
            )

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self.exitstatus = int(exitstatus)
        if int(exitstatus) == int(pytest.ExitCode.INTERRUPTED) and self.interrupted is None:
            self.interrupted = "the run was interrupted"
        # A failing run already says why in its verdicts.
        if self.asked_to_certify(session.config) and session.exitstatus == 0:
            self.nothing_certified = self._nothing_certified()
            if self.nothing_certified:
                session.exitstatus = int(pytest.ExitCode.TESTS_FAILED)
        if self.path:
            # Always written when asked for, even when interrupted before anything ran: a missing
            # report must never be mistaken for last run's.
            self.written = self.write(self.path)

    def asked_to_certify(self, config: pytest.Config) -> bool:
        return bool(self.adapter_spec or self.path or self.engines.config.require)

    def _nothing_certified(self) -> str | None:
        """Why a run asked to certify must fail although no contract failed: a skipped engine, none ran."""
        skipped = [f"{engine} ({reason})" for engine, reason in sorted(self.engines.unavailable.items())]
        skipped += sorted({f"{o.engine} (contracts skipped)" for o in self.outcomes.values()
                           if o.outcome == "skipped"})
        if skipped:
            return "nothing certified for " + "; ".join(skipped)
        if not any(o.outcome != "skipped" for o in self.outcomes.values()):
            return "no contract ran, so nothing was certified"
        if self.adapter_spec or self.path:
            # An explicit certification request fails unless some engine got its verdict.
            verdicts = self.verdicts()
            if not any(v.certified for v in verdicts):
                return "no engine was certified: " + "; ".join(f"{v.engine} {v.summary}" for v in verdicts)[:400]
        return None

    # -- verdicts ------------------------------------------------------------

    def _facts(self, engine: str) -> dict[str, Any]:
        started = self.engines.started.get(engine)
        if started is not None:
            return started.facts()
        return dict(self.engines.remote.get(engine, {}))  # xdist: what the workers provisioned

    def _required_files(self, engine: str) -> frozenset[str]:
        """The contract files an engine must have run: the fault contracts only where faults can be injected."""
        try:
            faults = supports_faults(self.engines.target(engine).backend)
        except EngineUnavailable:
            faults = False
        return contract_files() if faults else contract_files() - {"test_faults.py"}

    def verdicts(self) -> list[Verdict]:
        per_engine: dict[str, list[TestOutcome]] = defaultdict(list)
        for outcome in self.outcomes.values():
            per_engine[outcome.engine].append(outcome)
        verdicts = []
        for engine in sorted(set(per_engine) | {e for e, ids in self.collected.items() if ids}):
            results = per_engine.get(engine, [])
            counts = Counter(o.outcome for o in results)
            facts = self._facts(engine)
            problems = []
            if self.interrupted:
                problems.append(f"interrupted ({self.interrupted})")
            stopped = self.engines.usage_error or self.engines.required_failure
            if stopped:
                problems.append(f"run stopped: {stopped}")
            down = sorted({o.reason for o in results if o.engine_down})
            for reason in down or [r for r in (facts.get("dead"), facts.get("unusable")) if r]:
                problems.append(reason)
            failed = [o for o in results if o.outcome in ("failed", "error") and not o.engine_down]
            if failed:
                areas = sorted({o.area for o in failed})
                problems.append(f"{len(failed)} failed (areas: {', '.join(areas)})")
            if down:
                problems.append(f"{sum(o.engine_down for o in results)} contracts could not run on that storage")
            if counts["skipped"]:
                reasons = sorted({o.reason for o in results if o.outcome == "skipped"})
                problems.append(f"{counts['skipped']} skipped ({'; '.join(reasons)[:200]})")
            if self.deselected[engine]:
                problems.append(f"{self.deselected[engine]} contracts deselected (-k/-m): a partial run")
            not_run = len(self.collected[engine] - {o.nodeid for o in results})
            if not_run > 0:
                problems.append(f"{not_run} contracts did not run (interrupted, stopped early by -x/--maxfail, "
                                "or a crashed worker)")
            collected_files = {nodeid.split("::", 1)[0].rsplit("/", 1)[-1] for nodeid in self.collected[engine]}
            collected_files |= {o.nodeid.split("::", 1)[0].rsplit("/", 1)[-1] for o in results}
            missing = sorted(self._required_files(engine) - collected_files)
            if missing:
                names = ", ".join(m.removesuffix(".py").removeprefix("test_") for m in missing)
                problems.append(f"partial run: contract areas not collected: {names}")
            partial = [o for o in self.options if o.startswith(("--lf", "--sw", "node id"))]
            if partial:
                problems.append(f"partial run: {', '.join(partial)}")
            stand_in = bool(facts.get("stand_in"))
            backend_note = "; run on a stand-in: not a certification of the real engine" if stand_in else ""
            certified = not problems and not stand_in and bool(results)
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
                down = sum(o.engine_down for o in results)
                counts = Counter(o.outcome for o in results if not o.engine_down)
                if not results:
                    cells[engine, area] = "-"
                elif down and not (counts["failed"] or counts["error"]):
                    cells[engine, area] = "down" if down == len(results) else f"down {down}/{len(results)}"
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
        if self.engines.usage_error is not None:
            if hasattr(terminalreporter.config, "workerinput") or self.engines.usage_error_shown:
                return
            # The run never started; a usage error is its one line, as pytest's own are.
            terminalreporter.write_line(f"ERROR: {self.engines.usage_error}", red=True)
            return
        if self.outcomes:
            engines, areas, cells = self.matrix()
            terminalreporter.section("conformance")
            width = max(len(a) for a in areas) + 2
            col = max(12, *(len(e) + 2 for e in engines))
            terminalreporter.write_line("area".ljust(width) + "".join(e.ljust(col) for e in engines))
            for area in areas:
                terminalreporter.write_line(area.ljust(width) + "".join(cells[e, area].ljust(col) for e in engines))
        elif self.collected or self.interrupted:
            terminalreporter.section("conformance")
        for verdict in self.verdicts():
            terminalreporter.write_line(f"{verdict.engine}: {verdict.summary}")
        for engine, tally in sorted(self.tallies.items()):
            figures = ", ".join(self._figure(engine, name, count) for name, count in sorted(tally.items()))
            terminalreporter.write_line(f"{engine} counts: {figures}")
        if self.nothing_certified:
            terminalreporter.write_line(f"contract harness: {self.nothing_certified}", red=True)
        if self.written:
            terminalreporter.write_line(f"conformance report: {self.written[0]} and {self.written[1]}")

    def _figure(self, engine: str, name: str, count: int) -> str:
        seconds = self.tally_seconds[engine].get(name, 0.0)
        rate = f" ({count / seconds:.0f}/s)" if name.endswith("examples") and seconds > 0 else ""
        return f"{name} {count}{rate}"

    def document(self) -> dict[str, Any]:
        engines: dict[str, Any] = {}
        for verdict in self.verdicts():
            facts = self._facts(verdict.engine)
            engines[verdict.engine] = {
                "certified": verdict.certified,
                "verdict": verdict.summary,
                "counts": verdict.counts,
                "stand_in": bool(facts.get("stand_in")),
                "provider": facts.get("provider"),
                "image": facts.get("image"),
                "target": facts.get("target"),
                "server_version": facts.get("server_version"),
                "driver": facts.get("driver"),
                "adapter": self.adapter_spec or facts.get("adapter"),
                "storage_conditions": facts.get("conditions", {}),
                "extra_tables": facts.get("extra_tables", []),
                "providers_not_used": facts.get("attempts", []),
                "unavailable": self.engines.unavailable.get(verdict.engine),
                "hypothesis_examples": self.examples.get(verdict.engine, 0),
                "counts_by_kind": dict(self.tallies.get(verdict.engine, {})),
            }
        return {
            "suite": "adapter-contracts",
            "suite_version": suite_version(),
            "suite_commit": suite_commit(),
            "adapter": self.adapter_spec or "built-in adapter of each engine",
            "adapter_distribution": adapter_distribution(self.adapter_spec) if self.adapter_spec
            else f"adapter-contracts {suite_version()}",
            "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "complete": not self.interrupted and not any(
                self.collected[e] - {o.nodeid for o in self.outcomes.values()} for e in self.collected),
            "interrupted": self.interrupted,
            "exit_status": self.exitstatus,
            "coverage_options": self.options,
            "hypothesis_profile": self.profile,
            "python": platform.python_version(),
            "engines": engines,
            "tests": [asdict(o) for o in self.outcomes.values()],
        }

    def markdown(self) -> str:
        engines, areas, cells = self.matrix()
        doc = self.document()
        run = (f"INTERRUPTED: {doc['interrupted']}" if doc["interrupted"]
               else "complete" if doc["complete"] else "incomplete")
        lines = [
            f"# Conformance report (adapter-contracts {doc['suite_version']})",
            "",
            f"- adapter: `{doc['adapter']}` ({doc['adapter_distribution']})",
            f"- suite commit: {doc['suite_commit'] or 'unknown'}; generated {doc['generated_at']}; "
            f"Python {doc['python']}; Hypothesis profile {doc['hypothesis_profile']}",
            f"- run: {run}; options that change coverage: {', '.join(doc['coverage_options']) or 'none'}",
            "",
            "| engine | verdict | server | provider | target | driver | storage | counts |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for engine, info in doc["engines"].items():
            storage = ", ".join(f"{k} {v}" for k, v in info["storage_conditions"].items()) or "-"
            counts = ", ".join(f"{k} {v}" for k, v in sorted(info["counts_by_kind"].items()))
            counts = f"hypothesis examples {info['hypothesis_examples']}" + (f", {counts}" if counts else "")
            lines.append(f"| {engine} | {info['verdict']} | {info['server_version']} | {info['provider']} "
                         f"| {info['target']} | {info['driver']} | {storage} | {counts} |")
        if areas:
            lines += ["", "| area | " + " | ".join(engines) + " |", "|---" * (len(engines) + 1) + "|"]
            lines += [f"| {area} | " + " | ".join(cells[e, area] for e in engines) + " |" for area in areas]
        failures = [o for o in self.outcomes.values() if o.outcome in ("failed", "error") and not o.engine_down]
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
