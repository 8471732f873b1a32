"""One verdict per engine, from evidence the run gathered: plain data in, one line out.

An engine is ``CERTIFIED`` only when all of this holds:

* the run was neither interrupted nor stopped, and no worker crashed;
* every contract the manifest lists for the engine's kind was collected from
  the installed suite's own files (path and content hash), ran to its end and
  passed, and nothing else posed as a contract;
* the harness's own record of each contract (taken from the call itself) agrees
  with the final report;
* every property contract ran at least the examples the manifest's ``ci``
  floor says (a ``dev`` run is a check, not a certificate);
* the adapter factory gave a new instance of one class on every call;
* the storage met every hostile condition the harness sets up, and the engine
  is not a stand-in.

The line names what failed first and ends with ``P of M contracts passed``, the
manifest's short hash, the suite version and the Hypothesis budget that ran.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from adapter_contracts.harness.budget import Budget
from adapter_contracts.harness.manifest import Manifest, SuiteCheck, abstract_id, area_of
from adapter_contracts.harness.recording import ContractRecord
from adapter_contracts.harness.report.outcomes import TestOutcome, Verdict

__all__ = ["EngineEvidence", "RunEvidence", "judge"]


@dataclass
class RunEvidence:
    """What holds for every engine of the run."""

    manifest: Manifest | None
    manifest_error: str | None = None
    #: None when no process reported on the suite's files (a crashed worker)
    suite: SuiteCheck | None = None
    interrupted: str | None = None
    stopped: str | None = None
    #: partial-run options that deselect nothing but still narrow the run (--lf, --sw, node ids)
    partial: list[str] = field(default_factory=list)
    budget: Budget | None = None
    #: plugins and conftests outside pytest, xdist, Hypothesis and the harness that implement report hooks
    report_plugins: list[str] = field(default_factory=list)


@dataclass
class EngineEvidence:
    engine: str
    kind: str
    #: final outcomes of the tests run for this engine (from the reports), by node id
    outcomes: Mapping[str, TestOutcome]
    #: node ids collected for this engine (after deselection)
    collected: set[str]
    #: of those, the ones collected from the installed suite's own contract files
    genuine: set[str]
    #: tests for this engine posing as contracts from outside the installed suite
    foreign: set[str]
    deselected: int
    facts: Mapping[str, Any]
    records: Mapping[str, ContractRecord]
    #: contract files the engine must have run (faults only where faults can be injected)
    required_files: frozenset[str] = frozenset()


def _areas(ids: set[str] | list[str]) -> str:
    return ", ".join(sorted({area_of(i) for i in ids}))


def _contracts(run: RunEvidence, ev: EngineEvidence) -> tuple[dict[str, str], set[str]]:
    """Manifest id -> node id of the genuine contracts collected, and genuine node ids the manifest lacks."""
    by_id: dict[str, str] = {}
    extra: set[str] = set()
    listed = run.manifest.contracts(ev.kind) if run.manifest else frozenset()
    for nodeid in ev.genuine:
        contract = abstract_id(nodeid, ev.engine)
        if contract is not None and contract in listed:
            by_id[contract] = nodeid
        else:
            extra.add(nodeid)
    return by_id, extra


def altered(ev: EngineEvidence, nodeids: set[str]) -> list[str]:
    """Contracts whose final report says ``passed`` although the harness's own record of the call does
    not: the call failed or was skipped, or never ran through pytest's own runner.

    A report worse than the record is no alteration: an outer wrapper (Hypothesis's health checks)
    may fail a test before the call the record sits around, and a failure never certifies."""
    changed = []
    for nodeid in sorted(nodeids):
        final = ev.outcomes.get(nodeid)
        if final is None or final.outcome != "passed":
            continue
        record = ev.records.get(nodeid)
        if record is None or not record.finished or "call" not in record.phases or record.outcome != "passed":
            changed.append(nodeid)
    return changed


def judge(run: RunEvidence, ev: EngineEvidence) -> Verdict:
    results = list(ev.outcomes.values())
    counts = Counter(o.outcome for o in results)
    facts = ev.facts
    problems: list[str] = []
    if run.interrupted:
        problems.append(f"interrupted ({run.interrupted})")
    if run.stopped:
        problems.append(f"run stopped: {run.stopped}")
    if facts.get("factory_violation"):
        problems.append(str(facts["factory_violation"]))
    by_id, extra = _contracts(run, ev)
    contracts = set(by_id.values())
    changed = altered(ev, contracts)
    if changed:
        plugins = ", ".join(run.report_plugins) or "none outside pytest, xdist, Hypothesis and the harness"
        problems.append(f"outcome altered after the contract ran (plugin {plugins}): {len(changed)} contracts "
                        f"({_areas(changed)})")
    down = sorted({o.reason for o in results if o.engine_down})
    problems += down or [str(r) for r in (facts.get("dead"), facts.get("unusable")) if r]
    failed = [o for o in results if o.outcome in ("failed", "error") and not o.engine_down]
    if failed:
        problems.append(f"{len(failed)} failed (areas: {', '.join(sorted({o.area for o in failed}))})")
    if down:
        problems.append(f"{sum(o.engine_down for o in results)} contracts could not run on that storage")
    if counts["skipped"]:
        reasons = sorted({o.reason for o in results if o.outcome == "skipped"})
        problems.append(f"{counts['skipped']} skipped ({'; '.join(reasons)[:200]})")
    if ev.deselected:
        problems.append(f"{ev.deselected} contracts deselected (-k/-m): a partial run")
    not_run = ev.collected - set(ev.outcomes)
    if not_run:
        problems.append(f"{len(not_run)} contracts did not run (interrupted, stopped early by -x/--maxfail, "
                        "or a crashed worker)")
    collected_files = {nodeid.split("::", 1)[0].rsplit("/", 1)[-1] for nodeid in ev.genuine}
    missing_files = sorted(ev.required_files - collected_files)
    if missing_files:
        names = ", ".join(m.removesuffix(".py").removeprefix("test_") for m in missing_files)
        problems.append(f"partial run: contract areas not collected: {names}")
    total = 0
    missing: set[str] = set()
    if run.manifest is None:
        problems.append(f"no contract manifest: {run.manifest_error}")
    else:
        listed = run.manifest.contracts(ev.kind)
        total = len(listed)
        if not listed:
            problems.append(f"the manifest lists no contracts for engine kind {ev.kind!r}")
        missing = set(listed - set(by_id))
        # Those in areas not collected at all, or deselected, are said above already.
        unexplained = {c for c in missing if f"test_{area_of(c)}.py" not in missing_files}
        if len(unexplained) > ev.deselected:
            problems.append(f"{len(unexplained)} of {total} manifest contracts not collected ({_areas(unexplained)})")
    if extra and run.manifest is not None:
        problems.append(f"{len(extra)} contracts not in the manifest ({_areas(extra)})")
    if ev.foreign:
        places = sorted({n.split("::", 1)[0].rsplit("/", 1)[0] for n in ev.foreign})
        problems.append(f"{len(ev.foreign)} foreign contracts, not the installed suite's "
                        f"({_areas(ev.foreign)}; from {', '.join(places)[:120]})")
    if run.manifest is not None:
        if run.suite is None:
            problems.append("no process reported on the suite's files (a crashed worker?)")
        elif suite := run.suite.problem(run.manifest):
            problems.append(suite)
    if run.partial:
        problems.append(f"partial run: {', '.join(run.partial)}")
    passed = sum(1 for nodeid in contracts if (o := ev.outcomes.get(nodeid)) and o.outcome == "passed")
    details: dict[str, Any] = {
        "contracts": {"manifest": total, "collected": len(by_id), "passed": passed,
                      "missing": sorted(missing)[:50], "not_in_manifest": sorted(extra)[:50],
                      "foreign": sorted(ev.foreign)[:50], "altered": changed[:50]},
        "complete": bool(total) and not missing and all(
            (o := ev.outcomes.get(n)) is not None and o.outcome != "skipped" for n in by_id.values()),
    }
    budget_note = ""
    if run.budget is not None and run.manifest is not None:
        # A declined capability's contract runs its probe, not its examples.
        records = {c: ev.records.get(n) for c, n in by_id.items()
                   if (o := ev.outcomes.get(n)) is None or not o.declined}
        bound = {c for c, n in by_id.items()
                 if (o := ev.outcomes.get(n)) is not None and o.outcome == "passed" and not o.declined}
        below = run.budget.below_floor(run.manifest, records, bound)
        details["hypothesis_examples"] = run.budget.examples(run.manifest, records)
        details["hypothesis_below_floor"] = {c: {"ran": ran, "floor": floor} for c, (ran, floor) in below.items()}
        if below and run.budget.certifying:
            shown = ", ".join(f"{c} {ran} of {floor}" for c, (ran, floor) in list(below.items())[:2])
            problems.append(f"Hypothesis budget below ci: {len(below)} property contracts ran fewer examples "
                            f"than the manifest's floor ({shown}{', ...' if len(below) > 2 else ''})")
        budget_note = f", {run.budget.profile} budget" if run.budget.certifying else \
            f", {run.budget.profile} budget: a check, not a certificate"
    unmet = dict(facts.get("conditions_unmet") or {})
    if unmet:
        problems.append("storage conditions not met (the server's, not the adapter's): "
                        + "; ".join(f"{name}: {why}" for name, why in sorted(unmet.items())))
    stand_in = bool(facts.get("stand_in"))
    declined = sorted({o.declined for o in results if o.declined})
    limits_note = f", with declared limitations: {', '.join(declined)}" if declined else ""
    manifest_note = (f"manifest {run.manifest.short}, suite {run.manifest.suite_version}" if run.manifest
                     else "no manifest")
    tally = f"{passed} of {total} contracts passed ({manifest_note}{budget_note})"
    check_only = run.budget is not None and not run.budget.certifying
    certified = not problems and not stand_in and not check_only and bool(results) and passed == total > 0
    if certified:
        summary = f"CERTIFIED: {tally}{limits_note}"
    elif not problems and results and stand_in:
        summary = f"STAND-IN, not certified: {tally}{limits_note}; a stand-in never certifies the real engine"
    elif not problems and results and check_only:
        summary = f"CHECKED, not certified: {tally}{limits_note}"
    else:
        summary = "NOT CERTIFIED: " + "; ".join(problems or ["no contract ran"]) + f"; {tally}"
    return Verdict(ev.engine, certified, summary, dict(counts), details)
