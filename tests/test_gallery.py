"""The suite tests itself: every broken adapter in tests/gallery is refused, every correct one certified.

Each entry runs the whole contract suite in its own pytest process, exactly as an
adapter author would (``--adapter module:factory contracts``).  A broken entry runs
on the fast ``dev`` budget with ``-x`` and tests/gallery/quick.py, so it stops at
the first contract that catches it; a correct one runs as a certification does,
at the ``ci`` budget and nothing else loaded, since a certificate needs that
budget (a profile loaded after the harness's, as quick.py does, never certifies).
The verdict is read from the JSON conformance report.  Runs go two at a time
(this is a 2-core machine), longest first; under xdist each worker runs only its
own entries.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from adapter_contracts.harness.engines import ENGINES
from adapter_contracts.harness.plugging import load_factory
from tests.failure_blocks import block_problems, failure_blocks
from tests.gallery import ASYNC_DEFECTS, CORRECT, DEFECTS, GALLERY_PROPERTY, RUNS_AN_ENTRY, Entry
from tests.inner import CONTRACTS, child_env

ROOT = Path(__file__).resolve().parents[1]
#: Generous: a broken entry usually stops within seconds, a correct one needs the
#: whole suite; a run that reaches this is itself a finding (a hang).
TIMEOUT_SECONDS = 600.0
WORKERS = 2
#: The harness profile named to a broken entry's run; tests/gallery/quick.py then
#: derandomizes it and turns shrinking off, and moves the slowest modules last.
PROFILE = "dev"
#: A correct entry's: the least a certificate needs.
CERTIFY_PROFILE = "ci"
LIMITATIONS = ", with declared limitations: "


@dataclass
class GalleryRun:
    entry: Entry
    returncode: int | None  # None: killed after TIMEOUT_SECONDS
    seconds: float
    cpu_seconds: float
    engine: str | None = None
    report: dict[str, Any] = field(default_factory=dict)
    output: str = ""

    @property
    def verdict(self) -> dict[str, Any]:
        engines = self.report.get("engines", {})
        return dict(engines.get(self.engine, {})) if self.engine else {}

    @property
    def failures(self) -> list[dict[str, Any]]:
        return [t for t in self.report.get("tests", []) if t.get("outcome") in ("failed", "error")]

    @property
    def caught_by(self) -> str | None:
        failures = self.failures
        return str(failures[0]["nodeid"]) if failures else None

    def describe(self) -> str:
        tail = "\n".join(self.output.strip().splitlines()[-25:])
        return (f"{self.entry.spec}: exit {self.returncode} after {self.seconds:.1f}s "
                f"({self.cpu_seconds:.1f} CPU s), "
                f"verdict {self.verdict.get('verdict')!r}\n--- last lines of its output ---\n{tail}")


def _environment(profile: str) -> dict[str, str]:
    """The caller's environment without anything that would steer the inner run elsewhere."""
    env = child_env(CONTRACT_HYPOTHESIS_PROFILE=profile)
    env.pop("HYPOTHESIS_PROFILE", None)
    return env


def entry_command(entry: Entry, report: Path) -> tuple[list[str], dict[str, str]]:
    """A broken entry's run stops at its first failure; a correct one's is a certification."""
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"]
    if entry not in CORRECT:
        command += ["-p", "tests.gallery.quick", "-x"]
    command += ["--adapter", entry.spec, "--conformance-report", str(report), CONTRACTS]
    return command, _environment(CERTIFY_PROFILE if entry in CORRECT else PROFILE)


def run_entry(entry: Entry) -> GalleryRun:
    engine = load_factory(entry.spec, set(ENGINES)).engine
    with tempfile.TemporaryDirectory(prefix="gallery-") as scratch:
        report = Path(scratch) / "report"
        command, env = entry_command(entry, report)
        began = time.perf_counter()
        with open(Path(scratch) / "output", "w+", encoding="utf-8") as output:
            process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output,
                                       stderr=subprocess.STDOUT, text=True)
            killer = threading.Timer(TIMEOUT_SECONDS, process.kill)
            killer.start()
            try:
                # wait4, not wait: the child's own CPU time, which means something on a loaded machine.
                _, status, usage = os.wait4(process.pid, 0)
            finally:
                killer.cancel()
            process.returncode = code = os.waitstatus_to_exitcode(status)
            output.seek(0)
            text = output.read()
        json_path = report.with_suffix(".json")
        document = json.loads(json_path.read_text(encoding="utf-8")) if json_path.exists() else {}
        return GalleryRun(entry, None if code < 0 else code, time.perf_counter() - began,
                          usage.ru_utime + usage.ru_stime, engine, document, text)


class Gallery:
    """Runs entries in the background, at most WORKERS at a time, and hands out their results."""

    def __init__(self, entries: list[Entry], parallel: bool) -> None:
        self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="gallery") if parallel else None
        self._futures: dict[str, Future[GalleryRun]] = {}
        if self._pool is not None:
            for entry in entries:
                self._futures[entry.spec] = self._pool.submit(run_entry, entry)

    def result(self, entry: Entry) -> GalleryRun:
        future = self._futures.get(entry.spec)
        if future is None:
            return run_entry(entry)
        return future.result(timeout=TIMEOUT_SECONDS * (1 + len(self._futures)))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _selected(items: list[pytest.Item]) -> list[Entry]:
    chosen: list[Entry] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        entry = callspec.params.get("entry") if callspec is not None else None
        if (isinstance(entry, Entry) and getattr(item, "originalname", None) in RUNS_AN_ENTRY
                and getattr(getattr(item, "module", None), "__name__", None) == __name__ and entry not in chosen):
            chosen.append(entry)
    # Correct entries run the whole suite: start them first so they do not finish last.
    return sorted(chosen, key=lambda e: e not in CORRECT)


@pytest.fixture(scope="session")
def gallery(request: pytest.FixtureRequest) -> Iterator[Gallery]:
    # Under xdist the workers already share the cores; each runs its own entries as they come.
    in_worker = hasattr(request.config, "workerinput")
    runs = Gallery(_selected(request.session.items), parallel=not in_worker)
    yield runs
    runs.close()


def _record(request: pytest.FixtureRequest, run: GalleryRun, outcome: str) -> None:
    request.node.user_properties.append((GALLERY_PROPERTY, json.dumps({
        "spec": run.entry.spec, "kind": "correct" if run.entry in CORRECT else "defect", "outcome": outcome,
        "caught_by": run.caught_by, "seconds": round(run.seconds, 1), "cpu_seconds": round(run.cpu_seconds, 1),
    })))


def test_the_gallery_has_enough_distinct_defects() -> None:
    assert len(DEFECTS) >= 20
    assert len({e.spec for e in DEFECTS + CORRECT}) == len(DEFECTS) + len(CORRECT)


@pytest.mark.parametrize("entry", DEFECTS + CORRECT, ids=lambda e: e.name)
def test_entry_plugs_in(entry: Entry) -> None:
    plugged = load_factory(entry.spec, set(ENGINES))
    assert plugged.engine in ENGINES


def defect_problems(run: GalleryRun) -> list[str]:
    problems = []
    if run.returncode != 1:
        problems.append(f"expected contract failures (exit 1), got exit {run.returncode}")
    if not run.verdict:
        problems.append(f"no verdict for engine {run.engine!r} in the report")
    elif run.verdict.get("certified") is not False or not str(run.verdict.get("verdict")).startswith("NOT CERTIFIED"):
        problems.append("the verdict is not NOT CERTIFIED")
    if run.caught_by is None:
        problems.append("the report names no failing contract")
    reasons = " ".join([str(run.verdict.get("verdict"))] + [str(t.get("reason")) for t in run.failures])
    problems += [f"the verdict and failures do not mention {word!r}"
                 for word in run.entry.expect if word not in reasons]
    # What the author reads: one short block per failed contract, both answers in it.
    blocks = failure_blocks(run.output)
    if not blocks:
        problems.append("the output shows no failure block")
    problems += [problem for name, block in blocks.items() for problem in block_problems(name, block)]
    return problems


def correct_problems(run: GalleryRun) -> list[str]:
    problems = []
    if run.returncode != 0:
        problems.append(f"expected a clean run (exit 0), got exit {run.returncode}")
    if run.verdict.get("certified") is not True:
        problems.append("not certified")
    verdict = str(run.verdict.get("verdict"))
    listed = tuple(verdict.partition(LIMITATIONS)[2].split(", ")) if LIMITATIONS in verdict else ()
    if listed != tuple(sorted(run.entry.declined)):
        problems.append(f"the verdict lists limitations {listed}, the adapter declares {run.entry.declined}")
    examples = run.verdict.get("hypothesis_examples") or {}
    if not examples or not all(examples.values()):
        problems.append(f"property contracts without examples: {sorted(c for c, n in examples.items() if not n)}")
    return problems


#: The async defects' runs wait out a bound (a blocked loop, a cancellation) for about 10 s each:
#: started first under xdist, with the other heavy tests, not left to the end.
SLOW_DEFECTS = [pytest.param(e, marks=pytest.mark.heavy) if e in ASYNC_DEFECTS else e for e in DEFECTS]


@pytest.mark.parametrize("entry", SLOW_DEFECTS, ids=lambda e: e.name)
def test_broken_adapter_is_caught(entry: Entry, gallery: Gallery, request: pytest.FixtureRequest) -> None:
    run = gallery.result(entry)
    problems = defect_problems(run)
    _record(request, run, "missed" if problems else "caught")
    assert not problems, f"{'; '.join(problems)}: {run.describe()}"


@pytest.mark.heavy  # a certification run each, at the ci budget: started first under xdist, not left to the end
@pytest.mark.parametrize("entry", CORRECT, ids=lambda e: e.name)
def test_correct_adapter_is_certified(entry: Entry, gallery: Gallery, request: pytest.FixtureRequest) -> None:
    run = gallery.result(entry)
    problems = correct_problems(run)
    _record(request, run, "refused" if problems else "certified")
    assert not problems, f"{'; '.join(problems)}: {run.describe()}"


@pytest.mark.heavy  # the whole synchronous suite, on a PostgreSQL entry for one: started first under xdist
@pytest.mark.parametrize("entry", ASYNC_DEFECTS, ids=lambda e: e.name)
def test_async_defect_passes_the_synchronous_contracts_alone(entry: Entry) -> None:
    """An async-only defect is invisible to every other contract: the whole suite but contracts/test_async.py
    passes.  At the child budget (tests/child_budget.py: a few examples per contract), the least that
    runs every contract: these defects (a blocking call, a connection shared by tasks, a cascade cut by
    cancellation) need concurrent tasks or a cancellation to show, which no synchronous contract makes
    at any budget.  At the dev budget the PostgreSQL entry, whose every get_user opens a connection,
    was the gallery's longest test: 21 s, 13.6 CPU-s."""
    with tempfile.TemporaryDirectory(prefix="gallery-sync-") as scratch:
        report = Path(scratch) / "report"
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-p", "tests.child_budget",
                   "--adapter", entry.spec,
                   "--conformance-report", str(report), "--ignore", f"{CONTRACTS}/test_async.py", CONTRACTS]
        done = subprocess.run(command, cwd=ROOT, env=_environment(PROFILE), capture_output=True, text=True,
                              timeout=TIMEOUT_SECONDS, check=False)
        document = json.loads(report.with_suffix(".json").read_text(encoding="utf-8"))
    failed = [t["nodeid"] for t in document.get("tests", []) if t.get("outcome") in ("failed", "error")]
    passed = [t for t in document.get("tests", []) if t.get("outcome") == "passed"]
    assert not failed, f"{entry.spec} fails synchronous contracts: {failed[:5]}\n{done.stdout[-3000:]}"
    assert len(passed) > 500, done.stdout[-3000:]
    (verdict,) = (v["verdict"] for v in document["engines"].values())
    assert "contract areas not collected: async" in verdict, verdict
