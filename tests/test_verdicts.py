"""Verdicts from evidence built by hand: each reason a certificate is refused, in-process and in milliseconds.

The end-to-end cases (a real run with a conftest, a plugin, a profile) are in
tests/test_certificate_evidence.py; these pin the rules themselves, including
the storage conditions an engine could not set up (``conditions_unmet`` in
``StartedEngine.facts()``, filled by the engine backends).
"""

from __future__ import annotations

from typing import Any

import pytest

from adapter_contracts.adapters.memory import MemoryAdapter, MemoryStore
from adapter_contracts.harness.budget import Budget
from adapter_contracts.harness.contract_marks import marked_contract_files, marks_in
from adapter_contracts.harness.instances import CheckedFactory, FactoryViolation
from adapter_contracts.harness.manifest import Manifest, SuiteCheck
from adapter_contracts.harness.recording import ContractRecord, phase_outcome
from adapter_contracts.harness.report.outcomes import TestOutcome as Outcome
from adapter_contracts.harness.report.verdicts import EngineEvidence, RunEvidence, judge

PREFIX = "adapter_contracts/contracts/"
CONTRACTS = ("test_users.py::test_a[*]", "test_users.py::test_b[*-x]", "test_billing.py::test_c[*]")
MANIFEST = Manifest("9.9.9", {"contracts/test_users.py": "0" * 64}, {"memory": CONTRACTS},
                    {"test_billing.py::test_c[*]": 40}, "interface")


def node(contract: str, engine: str = "memory") -> str:
    return PREFIX + contract.replace("*", engine)


def passed_record(examples: int | None = None) -> ContractRecord:
    return ContractRecord({"setup": "passed", "call": "passed", "teardown": "passed"}, examples)


def evidence(**changes: Any) -> tuple[RunEvidence, EngineEvidence]:
    """A complete, certified run of the memory engine, with ``changes`` applied."""
    nodes = [node(c) for c in CONTRACTS]
    outcomes = {n: Outcome(n, "memory", "x", "passed") for n in nodes}
    records = {n: passed_record(40 if "test_c" in n else None) for n in nodes}
    run = RunEvidence(manifest=MANIFEST, suite=SuiteCheck(), budget=Budget("ci", "derandomized"))
    ev = EngineEvidence(engine="memory", kind="memory", outcomes=outcomes, collected=set(nodes), genuine=set(nodes),
                        foreign=set(), deselected=0, facts={}, records=records)
    for key, value in changes.items():
        setattr(run if hasattr(run, key) else ev, key, value)
    return run, ev


def test_a_complete_run_is_certified_with_n_of_n_the_manifest_and_the_budget() -> None:
    verdict = judge(*evidence())
    assert verdict.certified, verdict.summary
    assert verdict.summary == f"CERTIFIED: 3 of 3 contracts passed (manifest {MANIFEST.short}, suite 9.9.9, ci budget)"
    assert verdict.details["hypothesis_examples"] == {"test_billing.py::test_c[*]": 40}
    assert verdict.details["complete"] is True


def test_a_complete_run_of_a_stand_in_is_not_certified() -> None:
    """Every contract passed at the ci budget, and the engine imitates another (mongomock for mongo)."""
    verdict = judge(*evidence(facts={"stand_in": True}))
    assert not verdict.certified
    assert verdict.summary.startswith("STAND-IN, not certified: 3 of 3 contracts passed"), verdict.summary
    assert verdict.summary.endswith("a stand-in never certifies the real engine"), verdict.summary


def test_a_contract_missing_from_collection_is_not_certified() -> None:
    """What a conftest that drops items, or an ini's python_functions, leaves."""
    run, ev = evidence()
    dropped = node(CONTRACTS[1])
    ev.collected.discard(dropped)
    ev.genuine.discard(dropped)
    del ev.outcomes[dropped]  # type: ignore[attr-defined]
    verdict = judge(run, ev)
    assert not verdict.certified
    assert verdict.summary.startswith("NOT CERTIFIED: 1 of 3 manifest contracts not collected (users); 2 of 3"), \
        verdict.summary
    assert verdict.details["contracts"]["missing"] == [CONTRACTS[1]]
    assert verdict.details["complete"] is False


def test_contracts_from_elsewhere_are_foreign_and_not_counted() -> None:
    fake = {f"contracts/{c.replace('*', 'memory')}" for c in CONTRACTS}
    outcomes = {n: Outcome(n, "memory", "x", "passed") for n in fake}
    verdict = judge(*evidence(genuine=set(), foreign=fake, collected=fake, outcomes=outcomes))
    assert not verdict.certified
    assert "3 foreign contracts, not the installed suite's (billing, users; from contracts)" in verdict.summary
    assert "3 of 3 manifest contracts not collected" in verdict.summary
    assert verdict.summary.endswith("0 of 3 contracts passed (manifest " + MANIFEST.short + ", suite 9.9.9, ci budget)")


def test_a_pass_the_record_does_not_back_is_an_altered_outcome() -> None:
    run, ev = evidence(report_plugins=["conftest.py"])
    failed = node(CONTRACTS[0])
    ev.records[failed].phases["call"] = "failed"  # type: ignore[index]
    verdict = judge(run, ev)
    assert verdict.summary.startswith("NOT CERTIFIED: outcome altered after the contract ran (plugin conftest.py): "
                                      "1 contracts (users)"), verdict.summary
    # A report worse than the record (a failure raised around the call) is no alteration.
    run, ev = evidence()
    ev.outcomes[failed].outcome = "failed"
    assert "altered" not in judge(run, ev).summary


def test_a_pass_without_any_record_is_altered() -> None:
    run, ev = evidence()
    del ev.records[node(CONTRACTS[2])]  # type: ignore[attr-defined]
    assert "outcome altered after the contract ran" in judge(run, ev).summary


def test_a_rerun_keeps_the_worst_outcome_of_each_phase() -> None:
    record = ContractRecord()
    record.note("call", phase_outcome(AssertionError("first try")))
    record.note("call", phase_outcome(None))
    assert record.phases["call"] == "failed"
    assert phase_outcome(pytest.skip.Exception("no")) == "skipped"
    assert phase_outcome(pytest.xfail.Exception("expected")) == "failed"


def test_fewer_examples_than_the_floor_is_a_weakened_budget() -> None:
    run, ev = evidence()
    ev.records[node(CONTRACTS[2])].examples = 1  # type: ignore[union-attr]
    verdict = judge(run, ev)
    assert "Hypothesis budget below ci: 1 property contracts ran fewer examples than the manifest's floor " \
           "(test_billing.py::test_c[*] 1 of 40)" in verdict.summary
    assert verdict.details["hypothesis_below_floor"] == {"test_billing.py::test_c[*]": {"ran": 1, "floor": 40}}


def test_the_dev_budget_is_a_check_not_a_certificate() -> None:
    run, ev = evidence(budget=Budget("dev", "12345"))
    ev.records[node(CONTRACTS[2])].examples = 25  # type: ignore[union-attr]
    verdict = judge(run, ev)
    assert not verdict.certified
    assert verdict.summary == (f"CHECKED, not certified: 3 of 3 contracts passed (manifest {MANIFEST.short}, "
                               "suite 9.9.9, dev budget: a check, not a certificate)")


def test_a_declined_capability_needs_no_examples() -> None:
    run, ev = evidence()
    contract = node(CONTRACTS[2])
    ev.outcomes[contract].declined = "usage_batch"
    ev.records[contract].examples = 0  # type: ignore[union-attr]
    verdict = judge(run, ev)
    assert verdict.certified, verdict.summary
    assert verdict.details["hypothesis_examples"] == {}


def test_a_storage_condition_not_met_is_in_the_verdict_line() -> None:
    facts = {"conditions_unmet": {"time_zone +05:45": "the server's SYSTEM time zone was kept (a session-only "
                                                      "time zone on your DSN's server)"}}
    verdict = judge(*evidence(facts=facts))
    assert not verdict.certified
    assert verdict.summary.startswith(
        "NOT CERTIFIED: storage conditions not met (the server's, not the adapter's): time_zone +05:45: the "
        "server's SYSTEM time zone was kept"), verdict.summary


def test_a_factory_violation_and_changed_suite_files_are_not_certified() -> None:
    run, ev = evidence(facts={"factory_violation": "factory x:y: call 2 returned an instance an earlier call "
                                                    "returned (one shared instance)"},
                       suite=SuiteCheck(changed=["contracts/test_users.py"]))
    verdict = judge(run, ev)
    assert verdict.summary.startswith("NOT CERTIFIED: factory x:y: call 2 returned an instance"), verdict.summary
    assert f"suite files: 1 differ from manifest {MANIFEST.short} (contracts/test_users.py)" in verdict.summary


def test_the_factory_check_refuses_a_shared_instance_and_a_class_switch() -> None:
    store = MemoryStore()
    first = MemoryAdapter(store)
    shared = CheckedFactory(lambda endpoint: first, first)
    with pytest.raises(FactoryViolation, match="call 2 returned an instance an earlier call returned"):
        shared(None)  # type: ignore[arg-type]
    assert shared.violation is not None

    class Other(MemoryAdapter):
        pass

    switching = CheckedFactory(lambda endpoint: Other(store), first)
    with pytest.raises(FactoryViolation, match=r"where call 1 returned adapter_contracts\.adapters\.memory\."):
        switching(None)  # type: ignore[arg-type]
    fresh = CheckedFactory(lambda endpoint: MemoryAdapter(store), first)
    assert fresh(None) is not fresh(None)  # type: ignore[arg-type]
    assert fresh.violation is None


def test_module_marks_are_read_from_the_pytestmark_assignment_however_it_is_spelled() -> None:
    # Which files are fault or async-native contracts decides what a certificate requires: the
    # shortcut for sources without the name must not miss an assignment Python would see.
    assert marks_in("import pytest\n\ndef test_a():\n    assert 'pytest.mark.faults'\n") == frozenset()
    assert marks_in("import pytest\npytestmark = [pytest.mark.heavy, pytest.mark.faults]\n") == {"heavy", "faults"}
    assert marks_in("import pytest\nfirst = pytestmark = pytest.mark.faults\n") == {"faults"}
    # Python reads identifiers in NFKC: fullwidth letters name the same variable.
    fullwidth = "import pytest\n\uff50\uff59\uff54\uff45\uff53\uff54\uff4d\uff41\uff52\uff4b = pytest.mark.faults\n"
    assert marks_in(fullwidth) == {"faults"}
    # Only the module's own top-level assignment counts, as pytest reads it.
    assert marks_in("import pytest\ndef f():\n    pytestmark = pytest.mark.faults\n") == frozenset()
    # The suite's own modules, whose marks the verdicts read.
    assert marked_contract_files("faults") == {"test_faults.py"}
    assert marked_contract_files("async_native") == {"test_async.py"}
