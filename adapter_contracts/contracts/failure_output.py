"""How a failed contract reads in the terminal: one short block an adapter author can act on.

Registered by the active harness plugin; its hooks act on contracts only
(contracts/test_*.py), never on another test of the same run or virtualenv.

With pytest's default ``--tb=auto`` a contract failure printed every frame
long, the test's source, the reprs of fixtures (a raw snapshot of every table)
and Hypothesis' falsifying example with those fixtures in it: 14 to 94 lines
per contract on the gallery.  Each failed contract now prints:

* ``rule:`` the contract in one line: the first line of the test's docstring,
  else its name read as a sentence (the names are written as rules);
* the traceback in ``--tb=short`` form, fixtures' values left out;
* the assertion's explanation, ``adapter:`` beside ``reference:`` with the
  JSON paths that differ (:func:`pytest_assertrepr_compare`, via
  contracts/explain.py);
* Hypothesis' falsifying example without the fixture arguments;

and is cut to :data:`BLOCK_LINES` lines, keeping its start and its end (the
error and the example).  An explicit ``--tb`` other than ``auto`` is the
author asking for pytest's own output, and gets it.

Under ``-x``/``--maxfail`` Hypothesis' shrinking is bounded
(:func:`adapter_contracts.harness.profiles.bound_shrinking`): such a run is asked to stop soon.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Generator
from pathlib import Path

import pytest

from adapter_contracts.contracts.explain import short, side_by_side
from adapter_contracts.harness.private.pytest_api import (
    ExceptionChainRepr,
    ReprFileLocation,
    short_failure_lines,
    text_block,
)
from adapter_contracts.harness.profiles import STOP_EARLY_SHRINK_SECONDS, bound_shrinking, shrink_seconds
from adapter_contracts.harness.report import is_contract

__all__ = [
    "BLOCK_LINES",
    "pytest_assertrepr_compare",
    "pytest_configure",
    "pytest_runtest_makereport",
    "pytest_runtest_protocol",
    "pytest_unconfigure",
]

#: Lines one failed contract may print in all, pytest's header line of the block included.
BLOCK_LINES = 60
#: Of those, the report itself (the rest is pytest's heading and captured output).
_REPORT_LINES = 46
_HEAD_LINES = 12
#: Lines of one captured-output or Hypothesis section.
_SECTION_LINES = 4
_LINE_CHARS = 240

_RESTORE = pytest.StashKey[Callable[[], None]]()
#: Whether the test running now is a contract: pytest asks pytest_assertrepr_compare without the item.
_IN_CONTRACT = [False]
_FIXTURE_ARGUMENT = re.compile(r"^E\s+(\w+)=")
_SLOW_SHRINK = "Hypothesis has spent more than"


def pytest_configure(config: pytest.Config) -> None:
    if (config.getoption("maxfail", 0) or 0) > 0:
        config.stash[_RESTORE] = bound_shrinking(STOP_EARLY_SHRINK_SECONDS)


def pytest_unconfigure(config: pytest.Config) -> None:
    restore = config.stash.get(_RESTORE, None)
    if restore is not None:
        restore()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, object, object]:
    _IN_CONTRACT[0] = is_contract(item.nodeid)
    try:
        return (yield)
    finally:
        _IN_CONTRACT[0] = False


def pytest_assertrepr_compare(config: pytest.Config, op: str, left: object, right: object) -> list[str] | None:
    """A contract's ``assert answer == expected`` as ``adapter:`` beside ``reference:``.

    The contracts put the adapter's answer on the left and the expected one, the
    reference's answer to the same call, on the right (contracts/explain.py says why).
    """
    if not _IN_CONTRACT[0]:
        return None
    if op == "==":
        return [f"{short(left, 40)} == {short(right, 40)}", *side_by_side(left, right)]
    if op == "is not" and right is None:
        return [f"{short(left, 60)} is not None", "adapter:   None", "reference: a value (not None)"]
    if op == "is" and right is None:
        return [f"{short(left, 60)} is None", f"adapter:   {short(left)}", "reference: None"]
    # in, not in, <, <=, ...: the reference's answer is one that satisfies the comparison.
    return [f"{short(left, 40)} {op} {short(right, 40)}", f"adapter:   {short(left)}",
            f"reference: a value {op} {short(right)}"]


def rule_of(item: pytest.Item) -> str:
    """The contract in one line: its docstring's first line, else its name as a sentence."""
    function = getattr(item, "function", None)
    doc = (getattr(function, "__doc__", None) or "").strip()
    if doc:
        return doc.splitlines()[0]
    name = getattr(item, "originalname", None) or item.name
    return name.removeprefix("test_").replace("_", " ")


def failure_block(lines: list[str], reprcrash: ReprFileLocation | None) -> ExceptionChainRepr:
    """``lines`` as pytest's own kind of failure report, with pytest's crash line kept.

    A report of pytest's types crosses from an xdist worker to the controller
    whole, crash line included, which the short summary and the conformance
    report's reason are read from; a text entry (``ReprEntryNative``) holds the lines.
    """
    return text_block(lines, reprcrash)


def _clip(line: str) -> str:
    return line if len(line) <= _LINE_CHARS else f"{line[:_LINE_CHARS]}…<{len(line) - _LINE_CHARS} more chars>"


def _fit(lines: list[str], budget: int, head: int, advice: str) -> list[str]:
    """At most ``budget`` lines: the first ``head`` and the last ones, with what was left out said."""
    if len(lines) <= budget:
        return lines
    tail = budget - head - 1
    return [*lines[:head], f"... {len(lines) - head - tail} lines left out ({advice})", *lines[-tail:]]


def _slow_shrink(text: str) -> str:
    # Hypothesis' warning names five minutes whatever the bound, and asks for a bug report.
    if _SLOW_SHRINK not in text:
        return text
    seconds = shrink_seconds()
    if seconds == STOP_EARLY_SHRINK_SECONDS:
        return (f"Hypothesis stopped shrinking after {seconds} s, the bound under -x/--maxfail; "
                "run without them for a smaller example")
    return f"Hypothesis stopped shrinking after {seconds} s, its own bound: the example may not be the smallest"


def _where(exc: BaseException) -> str:
    """The innermost frame that raised ``exc``, as ``path:line: in function``."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    path = Path(last.filename)
    shown = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
    return f"{shown}:{last.lineno}: in {last.name}"


def _distinct_failures(group: BaseExceptionGroup[BaseException]) -> list[str]:
    """Hypothesis' "found N distinct failures": each failure's message and falsifying example, in an
    equal share of the block, instead of N full tracebacks."""
    failures = list(group.exceptions)
    bodies = [[f"E     {line}" for line in "".join(traceback.format_exception_only(exc)).rstrip().splitlines()]
              for exc in failures]
    room = _REPORT_LINES - 2 - len(failures)  # the rule, the group's line, one heading per failure
    # Cut only when they do not fit together; then each gets an equal share.
    share = room if sum(map(len, bodies)) <= room else max(room // len(failures), 6)
    lines = [f"E   {type(group).__name__}: {group.message}"]
    for number, (exc, body) in enumerate(zip(failures, bodies, strict=True), 1):
        lines.append(f"--- failure {number} of {len(failures)}: {_where(exc)}")
        lines += _fit(body, share, share // 2, "run it alone for the rest")
    return lines


def _short_traceback(item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException]) -> list[str]:
    if isinstance(excinfo.value, BaseExceptionGroup):
        raw = _distinct_failures(excinfo.value)
    else:
        # pytest's own --tb=short rendering, which also drops pytest's and Hypothesis' frames.
        raw = short_failure_lines(item, excinfo)
    fixtures = set(getattr(item, "funcargs", {}))
    kept: list[str] = []
    explaining = False
    for line in raw:
        text = line.removeprefix("E").strip()
        if text == "Explanation:":
            explaining = True  # Hypothesis' lines "always and only run by failing examples": up to a blank line
            continue
        if explaining:
            explaining = bool(text)
            continue
        argument = _FIXTURE_ARGUMENT.match(line)
        if argument and argument.group(1) in fixtures:
            continue  # a fixture in Hypothesis' falsifying example: its repr is noise, often huge
        kept.append(_clip(_slow_shrink(line)))
    return kept


def _sections(sections: list[tuple[str, str]]) -> list[tuple[str, str]]:
    shortened = []
    for title, content in sections:
        lines = [_clip(line) for line in _slow_shrink(content).strip().splitlines()]
        if len(lines) > _SECTION_LINES:
            lines = [*lines[:_SECTION_LINES - 1], f"... {len(lines) - _SECTION_LINES + 1} more lines"]
        shortened.append((title, "\n".join(lines)))
    return shortened


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    if (not report.failed or call.excinfo is None or isinstance(report.longrepr, str)
            or item.config.getoption("tbstyle", "auto") != "auto" or not is_contract(item.nodeid)):
        return report  # passed, an engine's one line (harness/plugin.py), or pytest's output asked for
    lines = _fit([f"rule: {rule_of(item)}", *_short_traceback(item, call.excinfo)], _REPORT_LINES, _HEAD_LINES,
                 "--tb=long shows every frame")
    raised = call.excinfo.value
    if report.when == "call" and not isinstance(raised, (AssertionError, BaseExceptionGroup,
                                                         pytest.fail.Exception)):
        # Not a contract's check but an exception out of a call it made, which the
        # reference adapter, passing this contract, does not raise there.
        lines += [f"adapter:   raised {type(raised).__name__}: {short(str(raised), 160)}",
                  "reference: raises nothing at this call (it passes this contract)"]
    # Captured output in what is left of the block (pytest prints a heading line per section);
    # sections that do not fit are counted, not printed.
    room = BLOCK_LINES - 2 - len(lines)  # pytest's heading of the block, and the count below
    kept, left_out = [], 0
    for title, content in _sections(report.sections):
        cost = 1 + len(content.splitlines())
        if cost <= room:
            kept.append((title, content))
            room -= cost
        else:
            left_out += 1
    if left_out:
        lines.append(f"({left_out} captured-output sections left out: --tb=long shows them)")
    report.longrepr = failure_block(lines, getattr(report.longrepr, "reprcrash", None))
    report.sections = kept
    return report
