"""The gallery (tests/test_gallery.py): its opt-in switch and its summary in the terminal report.

The gallery runs the whole contract suite once per broken or correct adapter
(mutation testing of the suite itself, about 80 CPU seconds), so it is a step of
its own: ``pytest --gallery tests/test_gallery.py``, which ``.ci/run`` runs after
the suite.  Without ``--gallery`` (or the file named on the command line) its
inner runs are deselected, and the summary says how to run them.

Results travel in each test's user_properties, so the summary is also complete
under xdist, where only the controller prints.

The installed wheel's tests (tests/test_installed_wheel.py: a wheel build, a
virtualenv, a certification from it, about 40 CPU seconds) are likewise a step of
their own, ``pytest -n 2 tests/test_installed_wheel.py`` in ``.ci/run``: they run
only when their file is named.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.gallery import GALLERY_PROPERTY, RUNS_AN_ENTRY
from tests.suite_seeds import close_seeds, open_seeds

GALLERY_FILE = "test_gallery.py"
#: The installed wheel (a build, a virtualenv, a certification from it): the packaging step of
#: .ci/run, ``pytest -n 2 tests/test_installed_wheel.py``; left out of other runs unless named.
PACKAGING_FILE = "test_installed_wheel.py"


class GallerySummary:
    def __init__(self) -> None:
        self.results: dict[str, dict[str, Any]] = {}
        self.left_out = 0

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        for key, value in report.user_properties:
            if key == GALLERY_PROPERTY and isinstance(value, str):
                result = json.loads(value)
                self.results[result["spec"]] = result

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.left_out and not self.results:
            terminalreporter.write_line(
                f"gallery: {self.left_out} inner runs not selected; run them with "
                f"`python -m pytest -n 3 --gallery tests/{GALLERY_FILE}` (as .ci/run does)"
            )
        if not self.results:
            return
        defects = sorted((r for r in self.results.values() if r["kind"] == "defect"), key=lambda r: r["spec"])
        correct = sorted((r for r in self.results.values() if r["kind"] == "correct"), key=lambda r: r["spec"])
        terminalreporter.section("gallery")
        for r in defects + correct:
            line = f"{r['outcome']:<9} {r['spec']:<56} {r['seconds']:>5.1f}s {r['cpu_seconds']:>5.1f} CPU s"
            if r["kind"] == "defect":
                line += f"  first failure: {r['caught_by'] or '-'}"
            terminalreporter.write_line(line)
        wall = sum(r["seconds"] for r in self.results.values())
        cpu = sum(r["cpu_seconds"] for r in self.results.values())
        terminalreporter.write_line(f"inner runs: {wall:.0f}s summed wall time, {cpu:.0f} CPU s")
        caught = sum(r["outcome"] == "caught" for r in defects)
        certified = sum(r["outcome"] == "certified" for r in correct)
        terminalreporter.write_line(
            f"gallery: {caught}/{len(defects)} defects caught, {certified}/{len(correct)} correct adapters certified"
        )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--gallery", action="store_true", default=False,
                     help="also run the gallery: the whole suite once per broken or correct adapter in tests/gallery")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    # tryfirst: the seeds directory is named before the harness reads its configuration.
    open_seeds(config)
    config.pluginmanager.register(GallerySummary(), "gallery-summary")
    config.addinivalue_line(
        "markers", "waits(seconds): about how long a waiting test takes under the README command's load; "
        "the lanes are filled longest first by it (tests/conftest.py)")


def pytest_unconfigure(config: pytest.Config) -> None:
    close_seeds(config)


def _gallery_wanted(config: pytest.Config) -> bool:
    named = any(arg.split("::", 1)[0].endswith(GALLERY_FILE) for arg in config.args)
    return bool(config.getoption("gallery")) or named


def _deselect_packaging(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The wheel's tests, unless their file is named: they test a build, not this checkout."""
    if any(arg.split("::", 1)[0].endswith(PACKAGING_FILE) for arg in config.args):
        return
    left_out = [item for item in items if item.path.name == PACKAGING_FILE]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if item.path.name != PACKAGING_FILE]


#: This suite's tests that mostly wait (on a stopped server, a signal, a watchdog): 130-160 s of
#: wall time for 30-45 CPU-s.  Whenever every worker was inside one, the CPU sat idle.
WAITING = ("test_server_faults.py", "test_cleanup.py", "test_certificate.py")
#: What a waiting test without a ``waits`` mark is taken to cost (most start one child run): seconds.
UNMARKED_WAIT = 1.0


def _waits(item: pytest.Item) -> float:
    mark = item.get_closest_marker("waits")
    return float(mark.args[0]) if mark is not None else UNMARKED_WAIT


def _deal_to_lanes(waiting: list[pytest.Item], lanes: int) -> list[list[pytest.Item]]:
    """The waiting tests in ``lanes`` heads of about equal length: longest first, each to the lane with
    the least so far.  Dealt round by count, one lane's waiting tests took 93 s and the other's 106 s,
    and the longer lane ended the run."""
    heads: list[list[pytest.Item]] = [[] for _ in range(lanes)]
    loads = [0.0] * lanes
    for item in sorted(waiting, key=_waits, reverse=True):  # stable: collection order among equals
        lane = loads.index(min(loads))
        heads[lane].append(item)
        loads[lane] += _waits(item)
    return heads


def _worksteal_sizes(count: int, workers: int) -> list[int]:
    """How many of ``count`` tests ``--dist worksteal`` first hands each worker: worker i gets
    ``len(pending) // (workers - i)`` of what is left."""
    sizes: list[int] = []
    for i in range(workers):
        sizes.append(count // (workers - i))
        count -= sizes[-1]
    return sizes


def _lay_out_slices(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On an xdist worker, lay the slices out so that at most half the workers wait at any time: the
    waiting tests go to the heads of the first half of the workers' slices (the lanes, filled to about
    equal lengths by :func:`_deal_to_lanes`), the heavy tests are dealt round the heads of the other
    workers' slices, and everything else fills the slices up.

    The lanes wait while the other workers keep the cores busy, and whichever worker ends its slice
    first takes over the tail of another's (``--dist worksteal``, which pytest.ini sets; a worker's
    own options say ``dist=no``).  Before, every worker's share of the waiting tests was spread over
    a band of its slice, the bands staggered by count: the heavy heads made count a poor clock, and
    in a README command all three workers waited at once from 70 s to 118 s (54 idle CPU-s in
    130 s; with four workers and two lanes, 16-23 in 118-121 s, docs/performance.md)."""
    workers = int(getattr(config, "workerinput", {}).get("workercount", 0))
    if workers < 2:
        return
    layout = [item for item in items if item.get_closest_marker("layout") is not None]
    waiting = [item for item in items if item.path.name in WAITING and item not in layout]
    rest = [item for item in items if item.path.name not in WAITING and item not in layout]
    heavy = [item for item in rest if item.get_closest_marker("heavy") is not None]
    others = [item for item in rest if item.get_closest_marker("heavy") is None]
    lanes = min(workers // 2, len(waiting))
    computing = workers - lanes
    dealt = _deal_to_lanes(waiting, lanes)
    ordered: list[pytest.Item] = []
    for i, size in enumerate(_worksteal_sizes(len(items), workers)):
        first = layout if i == 0 else []
        head = dealt[i] if i < lanes else heavy[i - lanes::computing]
        take = max(size - len(first) - len(head), 0)
        ordered += first + head + others[:take]
        others = others[take:]
    items[:] = ordered + others


@pytest.hookimpl(trylast=True)  # after the harness's own sort (layout, then heavy tests first)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _deselect_packaging(config, items)
    if _gallery_wanted(config):
        _lay_out_slices(config, items)
        return
    keep, left_out = [], []
    for item in items:
        runs = item.path.name == GALLERY_FILE and getattr(item, "originalname", None) in RUNS_AN_ENTRY
        (left_out if runs else keep).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = keep
        summary = config.pluginmanager.get_plugin("gallery-summary")
        if summary is not None:
            summary.left_out = len(left_out)
    _lay_out_slices(config, items)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On an xdist worker: tell the controller how many inner runs were left out."""
    output = getattr(session.config, "workeroutput", None)
    summary = session.config.pluginmanager.get_plugin("gallery-summary")
    if output is not None and summary is not None:
        output["gallery_left_out"] = summary.left_out


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    summary = node.config.pluginmanager.get_plugin("gallery-summary")
    output = getattr(node, "workeroutput", None) or {}
    if summary is not None:
        summary.left_out = max(summary.left_out, int(output.get("gallery_left_out", 0)))
