"""The harness's own record of every contract, kept where no other plugin's report hook reaches it.

pytest builds a test's report from the call and then hands it to every plugin's
``pytest_runtest_makereport`` and ``pytest_runtest_logreport``, any of which may
change it (a conftest that turns failures into passes, a rerun plugin, an xfail
marker added on the fly).  This plugin takes each phase's outcome from the phase
itself: its wrappers of ``pytest_runtest_setup``/``call``/``teardown`` sit
innermost (``trylast``), around pytest's own implementation, and see the
exception the contract raised before any report exists.  The conformance report
compares these records with the final reports; a disagreement is
``NOT CERTIFIED: outcome altered after the contract ran``.

It also counts the Hypothesis examples each property contract executed, through
Hypothesis's documented hook for wrapping each example,
``test.hypothesis.inner_test`` (the stateful model test counts its own runs and
tallies them as ``model_examples``).  Under xdist each worker sends its records
to the controller in ``workeroutput``, not in the reports.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

from adapter_contracts.harness.manifest import check_suite, is_genuine, load_manifest
from adapter_contracts.harness.provenance import loaded_plugins

__all__ = ["EXAMPLE_TALLIES", "PHASES", "ContractRecord", "OutcomeRecorder", "phase_outcome"]

PHASES = ("setup", "call", "teardown")
_WORST = ("passed", "skipped", "failed")
#: Tallies that count a property contract's examples where no ``@given`` test wraps them (the model test).
EXAMPLE_TALLIES = frozenset({"model_examples"})


def phase_outcome(exc: BaseException | None) -> str:
    """``passed``, ``skipped`` or ``failed``: what the phase did, before any report says so.

    An xfail raised by the test is a failure here: a contract never expects to fail."""
    if exc is None:
        return "passed"
    if isinstance(exc, pytest.skip.Exception):
        return "skipped"
    return "failed"


@dataclass
class ContractRecord:
    #: phase -> passed | skipped | failed, from the phase itself
    phases: dict[str, str] = field(default_factory=dict)
    #: Hypothesis examples that ran to completion (None: not a property contract)
    examples: int | None = None

    @property
    def outcome(self) -> str:
        """What the final report must say: ``error`` for a failed setup or teardown, as pytest says it."""
        if self.phases.get("setup") == "failed" or (
                self.phases.get("teardown") == "failed" and self.phases.get("call") != "failed"):
            return "error"
        if "failed" in self.phases.values():
            return "failed"
        if "skipped" in self.phases.values():
            return "skipped"
        return "passed"

    @property
    def finished(self) -> bool:
        """Whether the contract ran to its end (a skipped setup has no call and no error)."""
        return "teardown" in self.phases

    def note(self, when: str, outcome: str) -> None:
        """A phase's outcome; a phase that ran again (a rerun plugin) keeps its worst outcome."""
        previous = self.phases.get(when)
        if previous is None or _WORST.index(outcome) > _WORST.index(previous):
            self.phases[when] = outcome

    def add_examples(self, count: int) -> None:
        self.examples = (self.examples or 0) + count

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ContractRecord:
        return cls(dict(data.get("phases", {})), data.get("examples"))


class OutcomeRecorder:
    """Registered on every process that runs contracts (serial, or each xdist worker)."""

    def __init__(self, tracked: Callable[[pytest.Item], bool]) -> None:
        self._tracked = tracked
        self.records: dict[str, ContractRecord] = {}
        #: node ids of the tests collected from the installed suite's own contract files
        self.genuine: set[str] = set()
        #: node ids of tests that pose as contracts (a test_*.py in a ``contracts`` folder) from elsewhere
        self.foreign: set[str] = set()
        #: True on the xdist controller once a worker's records arrived (it runs nothing itself)
        self.remote = False

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Tell the suite's own contracts from look-alikes, by the file each was collected and imported from."""
        for item in session.items:
            if not self._tracked(item):
                continue
            path = Path(item.path)
            if is_genuine(path, getattr(item, "module", None)):
                self.genuine.add(item.nodeid)
            elif path.parent.name == "contracts" and path.name.startswith("test_"):
                self.foreign.add(item.nodeid)

    def record(self, nodeid: str) -> ContractRecord:
        return self.records.setdefault(nodeid, ContractRecord())

    def tally(self, nodeid: str, kind: str, count: int) -> None:
        if kind in EXAMPLE_TALLIES:
            self.record(nodeid).add_examples(count)

    def _phase(self, item: pytest.Item, when: str) -> Generator[None, object, object]:
        if not self._tracked(item):
            return (yield)
        record = self.record(item.nodeid)
        try:
            result = yield
        except BaseException as exc:
            if isinstance(exc, (KeyboardInterrupt, SystemExit, pytest.exit.Exception)):
                raise  # the run is ending: the phase did not finish, so it has no outcome
            record.note(when, phase_outcome(exc))
            raise
        record.note(when, "passed")
        return result

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, object, object]:
        return (yield from self._phase(item, "setup"))

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, object, object]:
        restore = self._count_examples(item) if self._tracked(item) else None
        try:
            return (yield from self._phase(item, "call"))
        finally:
            if restore is not None:
                restore()

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Generator[None, object, object]:
        return (yield from self._phase(item, "teardown"))

    def _count_examples(self, item: pytest.Item) -> Callable[[], None] | None:
        """Wrap the @given test's ``hypothesis.inner_test`` (Hypothesis's documented hook) to count
        the examples that ran to completion; returns the undo.

        ``functools.wraps`` keeps the digest Hypothesis derives a derandomized seed from (the
        wrapped function's source and signature), so the examples are the same as without it."""
        handle = getattr(getattr(item, "obj", None), "hypothesis", None)
        inner = getattr(handle, "inner_test", None)
        if handle is None or not callable(inner):
            return None
        record = self.record(item.nodeid)
        record.examples = record.examples or 0

        @functools.wraps(inner)
        def counting(*args: Any, **kwargs: Any) -> Any:
            result = inner(*args, **kwargs)
            record.add_examples(1)
            return result

        handle.inner_test = counting

        def restore() -> None:
            handle.inner_test = inner

        return restore

    def witness(self, config: pytest.Config) -> dict[str, Any]:
        """What this xdist worker saw, as plain data for its ``workeroutput``: the records, which tests
        are the suite's own, the suite's files (checked after the run, so late imports count) and the
        plugins loaded here (conftests below the rootdir load on workers only)."""
        try:
            suite: dict[str, Any] | None = asdict(check_suite(load_manifest()))
        except ValueError:
            suite = None
        witness: dict[str, Any] = {
            "records": {nodeid: record.to_dict() for nodeid, record in self.records.items()},
            "genuine": sorted(self.genuine), "foreign": sorted(self.foreign), "plugins": loaded_plugins(config),
        }
        if suite is not None:
            witness["suite"] = suite
        return witness

    def absorb(self, witness: dict[str, Any]) -> None:
        """On the xdist controller: a worker's witness (each contract runs on one worker)."""
        self.remote = True
        for nodeid, data in witness.get("records", {}).items():
            self.records[nodeid] = ContractRecord.from_dict(data)
        self.genuine.update(witness.get("genuine", ()))
        self.foreign.update(witness.get("foreign", ()))
