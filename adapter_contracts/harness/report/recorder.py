"""The conformance report: a certificate per engine, built from the run's own results.

After a run the terminal shows a matrix of engines x contract areas and one
verdict per engine; ``--conformance-report PATH`` also writes ``PATH.json``
(machine-readable) and ``PATH.md`` (rendered from the JSON document).

The verdicts themselves are :mod:`adapter_contracts.harness.report.verdicts`:
this plugin object gathers their evidence (the final reports, the harness's
own records of each call, the manifest, the suite's files, the loaded
plugins) and writes the report so that it cannot outlive its run
(:mod:`adapter_contracts.harness.report.writer`).
"""

from __future__ import annotations

import platform
from collections import Counter, defaultdict
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from adapter_contracts.harness.budget import Budget
from adapter_contracts.harness.engines import engine_class
from adapter_contracts.harness.faults import fault_contract_files
from adapter_contracts.harness.flavours import async_contract_files
from adapter_contracts.harness.manifest import Manifest, SuiteCheck, check_suite, load_manifest
from adapter_contracts.harness.provenance import (
    libraries,
    loaded_plugins,
    mask,
    run_options,
    untrusted_report_plugins,
    with_distributions,
)
from adapter_contracts.harness.recording import OutcomeRecorder
from adapter_contracts.harness.report.document import certificate_header, render_markdown
from adapter_contracts.harness.report.outcomes import (
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
from adapter_contracts.harness.report.verdicts import EngineEvidence, RunEvidence, judge
from adapter_contracts.harness.report.writer import report_paths, write_report
from adapter_contracts.harness.session import EngineSession, EngineUnavailable

__all__ = ["ConformanceRecorder", "final_outcome"]


def final_outcome(nodeid: str, engine: str, reports: list[pytest.TestReport]) -> TestOutcome | None:
    """A contract's outcome as its reports say it now (after every plugin had them), or None if it did
    not run; a teardown pass never hides a failure."""
    result: TestOutcome | None = None
    for report in reports:
        if not (report.when == "call" or report.failed or report.skipped):
            continue
        outcome = "passed" if report.passed else ("skipped" if report.skipped else "failed")
        if report.failed and report.when != "call":
            outcome = "error"
        if result is not None and result.outcome in ("failed", "error"):
            continue
        properties = dict(report.user_properties)
        declined = properties.get(DECLINED_PROPERTY)
        result = TestOutcome(nodeid, engine, _area_of(nodeid), outcome,
                             "" if report.passed else _reason(report), round(report.duration, 4),
                             declined if isinstance(declined, str) else None, ENGINE_DOWN_PROPERTY in properties)
    return result


class ConformanceRecorder:
    """A pytest plugin object on the controller (or the one serial process): gathers the evidence, prints
    the verdicts and writes the report."""

    def __init__(self, engines: EngineSession, adapter_spec: str | None, path: str | None,
                 engine_ids: list[str] | None = None, profile: str | None = None, *,
                 witness: OutcomeRecorder | None = None, budget: Budget | None = None,
                 started_at: str | None = None) -> None:
        self.engines = engines
        self.adapter_spec = adapter_spec
        self.path = path
        self.engine_ids = list(engine_ids or [])
        self.profile = profile
        self.budget = budget or Budget(profile or "dev")
        self.witness = witness or OutcomeRecorder(lambda item: False)
        self.started_at = started_at or datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.reports: dict[str, list[pytest.TestReport]] = defaultdict(list)
        self.report_engine: dict[str, str] = {}
        self.deselected: Counter[str] = Counter()
        #: engine -> node ids of the contracts collected for it (after -k/-m deselection)
        self.collected: dict[str, set[str]] = defaultdict(set)
        #: engine -> counter name -> total, from the ``tally`` fixture
        self.tallies: dict[str, Counter[str]] = defaultdict(Counter)
        #: engine -> counter name -> seconds spent in the tests that counted it
        self.tally_seconds: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.interrupted: str | None = None
        self.exitstatus: int | None = None
        self.options: list[str] = []
        #: Every plugin and conftest loaded here and, under xdist, on each worker.
        self.plugins: dict[tuple[str, str | None, str], dict[str, Any]] = {}
        #: What the processes that imported the contracts found of the suite's files.
        self.suite: SuiteCheck | None = None
        #: Why a run that was asked to certify exits non-zero although pytest would not.
        self.nothing_certified: str | None = None
        self.written: tuple[Path, Path] | None = None
        self.session: pytest.Session | None = None
        self._verdicts: list[Verdict] | None = None

    # -- hooks ---------------------------------------------------------------

    def _collect(self, nodeid: str, engine: str | None) -> None:
        if engine is not None and is_contract(nodeid):
            self.collected[engine].add(nodeid)

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.session = session

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        # trylast: counts what survives -k/-m deselection done by earlier hooks.
        self.options = coverage_options(config)
        for item in items:
            engine = getattr(getattr(item, "callspec", None), "params", {}).get("engine")
            if isinstance(engine, str):
                item.user_properties.append((ENGINE_PROPERTY, engine))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        # What is left to run once every plugin's collection hook is done with the items.
        for item in session.items:
            engine = getattr(getattr(item, "callspec", None), "params", {}).get("engine")
            self._collect(item.nodeid, engine if isinstance(engine, str) else None)

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
        engine = dict(report.user_properties).get(ENGINE_PROPERTY)
        if not isinstance(engine, str) or not is_contract(report.nodeid):
            return
        # The report objects are kept, not what they say now: the verdict reads them at the end,
        # after every other plugin had its turn with them.
        self.reports[report.nodeid].append(report)
        self.report_engine[report.nodeid] = engine
        if report.when == "call":
            kinds = set()
            for key, value in report.user_properties:
                if isinstance(key, str) and key.startswith(TALLY_PREFIX) and isinstance(value, int):
                    self.tallies[engine][key.removeprefix(TALLY_PREFIX)] += value
                    kinds.add(key.removeprefix(TALLY_PREFIX))
            for kind in kinds:
                self.tally_seconds[engine][kind] += report.duration

    def absorb(self, witness: dict[str, Any]) -> None:
        """An xdist worker's records, classification, suite check and plugins (its ``workeroutput``)."""
        self.witness.absorb(witness)
        if "suite" in witness:
            suite = SuiteCheck(**witness["suite"])
            if self.suite is None:
                self.suite = suite
            else:
                self.suite.merge(suite)
        self._add_plugins(witness.get("plugins", []))

    def _add_plugins(self, plugins: list[dict[str, Any]]) -> None:
        for plugin in plugins:
            self.plugins.setdefault((plugin["module"], plugin["file"], plugin["name"]), plugin)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        self.exitstatus = int(exitstatus)
        if session.config.option.collectonly:
            return  # nothing ran: no verdict
        if int(exitstatus) == int(pytest.ExitCode.INTERRUPTED) and self.interrupted is None:
            self.interrupted = "the run was interrupted"
        self._add_plugins(loaded_plugins(session.config))
        if not self.witness.remote and session.config.pluginmanager.get_plugin("dsession") is None:
            # Serial: this process imported and ran the contracts (under xdist the workers did, and
            # a worker that sent nothing leaves the suite unchecked: not certified).
            self.suite = self._check_suite()
        self._verdicts = self._judge()
        # A failing run already says why in its verdicts.
        if session.exitstatus == 0:
            self.nothing_certified = self._nothing_certified()
            if self.nothing_certified:
                session.exitstatus = int(pytest.ExitCode.TESTS_FAILED)
        if self.path:
            self.written = report_paths(self.path)  # written last of all, at unconfigure

    @pytest.hookimpl(trylast=True)
    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """The final report, last of all: its exit status is the one the process ends with."""
        if self.path and self.session is not None:
            self.written = write_report(self.path, self.document(int(self.session.exitstatus)), render_markdown)

    def _check_suite(self) -> SuiteCheck | None:
        manifest = self.manifest()
        return check_suite(manifest) if manifest is not None else None

    def asked_to_certify(self, config: pytest.Config | None = None) -> bool:
        """An explicit certification request: a factory to certify, or a certificate to write."""
        return bool(self.adapter_spec or self.path)

    def _nothing_certified(self) -> str | None:
        """Why a run must fail although no contract failed: a certification request that certified no
        engine, or a required engine whose contracts were all skipped."""
        verdicts = self.verdicts()
        if self.asked_to_certify():
            skipped = [f"{engine} ({reason})" for engine, reason in sorted(self.engines.unavailable.items())]
            if skipped:
                return "nothing certified for " + "; ".join(skipped)
            if not any(o.outcome != "skipped" for o in self.outcomes().values()):
                return "no contract ran, so nothing was certified"
            if not any(v.certified for v in verdicts):
                asked = "--adapter" if self.adapter_spec else "--conformance-report"
                said = ", ".join(f"{v.engine} {v.summary.split(':', 1)[0]}" for v in verdicts)
                return f"{asked} asks for a certificate, and no engine was certified ({said}; see its verdict)"
            return None
        if self.engines.config.require:
            skipped = sorted({f"{o.engine} (contracts skipped)" for o in self.outcomes().values()
                              if o.outcome == "skipped" and self.engines.required(o.engine)})
            if skipped:
                return "required engines did not run: " + "; ".join(skipped)
            if self.collected and not any(o.outcome != "skipped" for o in self.outcomes().values()):
                return "no contract ran on the required engines"
        return None

    # -- verdicts ------------------------------------------------------------

    def manifest(self) -> Manifest | None:
        try:
            return load_manifest()
        except ValueError:
            return None

    def outcomes(self) -> dict[str, TestOutcome]:
        found = {}
        for nodeid, reports in self.reports.items():
            outcome = final_outcome(nodeid, self.report_engine[nodeid], reports)
            if outcome is not None:
                outcome.examples = getattr(self.witness.records.get(nodeid), "examples", None)
                found[nodeid] = outcome
        return found

    def _facts(self, engine: str) -> dict[str, Any]:
        started = self.engines.started.get(engine)
        if started is not None:
            return started.facts()
        return dict(self.engines.remote.get(engine, {}))  # xdist: what the workers provisioned

    def _kind(self, engine: str) -> str:
        try:
            return self.engines.target(engine).engine
        except EngineUnavailable:
            return engine

    def _required_files(self, engine: str) -> frozenset[str]:
        """The contract files an engine must have run: the fault contracts only where faults can be injected."""
        try:
            cls = engine_class(self.engines.target(engine).engine)
            faults, asynchronous = cls.supports_faults, cls.flavour == "async"
        except EngineUnavailable:
            faults = asynchronous = False
        files = contract_files() if faults else contract_files() - fault_contract_files()
        return files if asynchronous else files - async_contract_files()

    def _run_evidence(self) -> RunEvidence:
        try:
            manifest: Manifest | None = load_manifest()
            error = None
        except ValueError as exc:
            manifest, error = None, str(exc)
        plugins = list(self.plugins.values())
        return RunEvidence(
            manifest=manifest, manifest_error=error, suite=self.suite, interrupted=self.interrupted,
            stopped=self.engines.usage_error or self.engines.required_failure,
            partial=[o for o in self.options if o.startswith(("--lf", "--sw", "node id"))],
            budget=self.budget, report_plugins=untrusted_report_plugins(plugins),
        )

    def _judge(self) -> list[Verdict]:
        outcomes = self.outcomes()
        per_engine: dict[str, dict[str, TestOutcome]] = defaultdict(dict)
        for nodeid, outcome in outcomes.items():
            per_engine[outcome.engine][nodeid] = outcome
        run = self._run_evidence()
        engine_ids = sorted({*self.engine_ids, *per_engine, *self.collected})
        genuine: dict[str | None, set[str]] = defaultdict(set)
        foreign: dict[str | None, set[str]] = defaultdict(set)
        for nodes, by_engine in ((self.witness.genuine, genuine), (self.witness.foreign, foreign)):
            for nodeid in nodes:
                by_engine[engine_of_nodeid(nodeid, engine_ids)].add(nodeid)
        verdicts = []
        for engine in sorted(set(per_engine) | {e for e, ids in self.collected.items() if ids}):
            evidence = EngineEvidence(
                engine=engine, kind=self._kind(engine), outcomes=per_engine.get(engine, {}),
                collected=set(self.collected[engine]),
                genuine=genuine[engine], foreign=foreign[engine],
                deselected=self.deselected[engine], facts=self._facts(engine), records=self.witness.records,
                required_files=self._required_files(engine),
            )
            verdicts.append(judge(run, evidence))
        return verdicts

    def verdicts(self) -> list[Verdict]:
        if self._verdicts is None:
            return self._judge()
        return self._verdicts

    def matrix(self) -> tuple[list[str], list[str], dict[tuple[str, str], str]]:
        outcomes = list(self.outcomes().values())
        engines = sorted({o.engine for o in outcomes})
        areas = sorted({o.area for o in outcomes})
        cells: dict[tuple[str, str], str] = {}
        for engine in engines:
            for area in areas:
                results = [o for o in outcomes if o.engine == engine and o.area == area]
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
        if terminalreporter.config.option.collectonly:
            return  # nothing ran: no verdict to give
        if self.engines.usage_error is not None:
            if hasattr(terminalreporter.config, "workerinput") or self.engines.usage_error_shown:
                return
            # The run never started; a usage error is its one line, as pytest's own are.
            terminalreporter.write_line(f"ERROR: {self.engines.usage_error}", red=True)
            return
        engines, areas, cells = self.matrix()
        if areas:
            terminalreporter.section("conformance")
            width = max(len(a) for a in areas) + 2
            col = max(12, *(len(e) + 2 for e in engines))
            terminalreporter.write_line("area".ljust(width) + "".join(e.ljust(col) for e in engines))
            for area in areas:
                terminalreporter.write_line(area.ljust(width) + "".join(cells[e, area].ljust(col) for e in engines))
        elif self.collected or self.interrupted:
            terminalreporter.section("conformance")
        for verdict in self.verdicts():
            flavour = " (async)" if self._facts(verdict.engine).get("flavour") == "async" else ""
            terminalreporter.write_line(f"{verdict.engine}{flavour}: {verdict.summary}")
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

    def document(self, exitstatus: int | None = None) -> dict[str, Any]:
        engines: dict[str, Any] = {}
        _, areas, cells = self.matrix()
        secrets = list(self.engines.config.dsns.values())
        for verdict in self.verdicts():
            facts = self._facts(verdict.engine)
            engines[verdict.engine] = {
                "certified": verdict.certified,
                "verdict": mask(verdict.summary, secrets),
                "kind": self._kind(verdict.engine),
                "flavour": facts.get("flavour", "sync"),
                "counts": verdict.counts,
                "stand_in": bool(facts.get("stand_in")),
                "provider": facts.get("provider"),
                "image": facts.get("image"),
                "target": facts.get("target"),
                "server_version": facts.get("server_version"),
                "adapter": self.adapter_spec or facts.get("adapter"),
                "adapter_libraries": libraries(facts.get("adapter_modules", [])),
                "harness_driver": facts.get("driver"),
                "factory_violation": facts.get("factory_violation"),
                "storage_conditions": facts.get("conditions", {}),
                "storage_conditions_unmet": facts.get("conditions_unmet", {}),
                "extra_tables": facts.get("extra_tables", []),
                "providers_not_used": facts.get("attempts", []),
                "unavailable": self.engines.unavailable.get(verdict.engine),
                **verdict.details,
                "counts_by_kind": dict(self.tallies.get(verdict.engine, {})),
                "areas": {area: cells.get((verdict.engine, area), "-") for area in areas},
            }
        complete = bool(engines) and not self.interrupted and all(e.get("complete") for e in engines.values())
        config = self.session.config if self.session is not None else None
        options = [*self.options, *(run_options(config, secrets) if config is not None else [])]
        return {
            **certificate_header(self.started_at),
            "status": "usage error" if self.engines.usage_error else "interrupted" if self.interrupted else "finished",
            "suite_commit": suite_commit(),
            "adapter": self.adapter_spec or "built-in adapter of each engine",
            "adapter_distribution": adapter_distribution(self.adapter_spec) if self.adapter_spec
            else f"adapter-contracts {suite_version()}",
            "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "complete": complete,
            "interrupted": self.interrupted,
            "exit_status": exitstatus if exitstatus is not None else self.exitstatus,
            "coverage_options": [mask(o, secrets) for o in options],
            "hypothesis_profile": self.budget.profile,
            "hypothesis_seed": self.budget.seed,
            "python": platform.python_version(),
            "plugins": sorted(with_distributions(self.plugins.values()), key=lambda p: (p["kind"], str(p["name"]))),
            "engines": engines,
            # What the run's cleanup could not remove (the watchdog retries), each with the command
            # that removes it; known here because the session is closed before the report is written.
            "left_behind": [mask(line, secrets) for line in self.engines.cleanup_errors],
            "tests": [asdict(o) for o in self.outcomes().values()],
        }
