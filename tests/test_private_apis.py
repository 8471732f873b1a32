"""The private pytest and Hypothesis APIs the suite uses, each in adapter_contracts/harness/private/,
checked by what the suite relies on: when a release changes one, this fails here, by name, instead of
a failure block or a shrink bound quietly going wrong elsewhere."""

from __future__ import annotations

import ast
import io
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from adapter_contracts.harness.private import hypothesis_api, pytest_api, xdist_api
from adapter_contracts.harness.session import EngineDown

ROOT = Path(__file__).resolve().parents[1]
PRIVATE = ROOT / "adapter_contracts" / "harness" / "private"


def test_failed_is_what_pytest_fail_raises_and_engine_down_is_one() -> None:
    assert pytest_api.Failed is pytest.fail.Exception
    with pytest.raises(pytest_api.Failed) as raised:
        raise EngineDown("postgres: the server stopped answering")
    assert raised.value.pytrace is False
    assert raised.value.msg == "postgres: the server stopped answering"


def test_a_text_block_renders_its_lines_and_keeps_the_crash_line() -> None:
    crash = pytest_api.ReprFileLocation("contracts/test_x.py", 7, "AssertionError: no")
    block = pytest_api.text_block(["rule: keys compare exactly", "adapter:   'a'", "reference: 'A'"], crash)
    assert block.reprcrash is crash
    buffer = io.StringIO()
    writer = pytest_api.TerminalWriter(buffer)
    writer.hasmarkup = False
    block.toterminal(writer)
    assert buffer.getvalue().splitlines()[:3] == ["rule: keys compare exactly", "adapter:   'a'", "reference: 'A'"]


def test_the_short_rendering_prunes_pytests_own_frames(request: pytest.FixtureRequest) -> None:
    assert callable(getattr(request.node, "_repr_failure_py", None)), "pytest.Item._repr_failure_py is gone"

    def contract() -> None:
        assert 1 + 1 == 3, "arithmetic"

    with pytest.raises(AssertionError) as raised:
        contract()
    lines = pytest_api.short_failure_lines(request.node, raised)
    text = "\n".join(lines)
    assert "arithmetic" in text
    assert "in contract" in text
    assert "_pytest/" not in text  # pytest's own frames (raises, the runner) are pruned


def _crash_line(excinfo: pytest.ExceptionInfo[BaseException]) -> tuple[str, int, str]:
    """The crash line of pytest's rendering, as an interrupted run prints it."""
    crash = excinfo.getrepr(funcargs=True).reprcrash
    assert crash is not None
    return crash.path, crash.lineno, crash.message


def _hiding_helper() -> None:
    __tracebackhide__ = True
    raise KeyboardInterrupt("SIGTERM received")


def _all_hidden() -> None:
    __tracebackhide__ = True
    _hiding_helper()


def test_the_cut_traceback_keeps_the_crash_line_pytest_picks() -> None:
    """pytest names as the crash the last entry no ``__tracebackhide__`` hides; cut to it, the rendering
    says the same crash line (what an interrupted run prints) from fewer entries."""

    def caller() -> None:
        _hiding_helper()  # the crash line: the frame below hides itself

    with pytest.raises(KeyboardInterrupt) as raised:
        caller()
    whole = len(raised.traceback)
    crash = _crash_line(raised)
    assert crash[1] == caller.__code__.co_firstlineno + 1
    assert pytest_api.cut_to_crash(raised) == whole - 2
    assert [entry.name for entry in raised.traceback] == ["caller", "_hiding_helper"]
    assert _crash_line(raised) == crash


def test_a_traceback_with_every_entry_hidden_is_left_whole() -> None:
    with pytest.raises(KeyboardInterrupt) as raised:
        _all_hidden()
    raised.traceback = raised.traceback[1:]  # without this test's own frame
    names = [entry.name for entry in raised.traceback]
    assert names == ["_all_hidden", "_hiding_helper"]
    assert pytest_api.cut_to_crash(raised) == 0
    assert [entry.name for entry in raised.traceback] == names


def test_the_shrink_bound_is_read_by_hypothesis_when_it_shrinks(capsys: pytest.CaptureFixture[str]) -> None:
    assert isinstance(hypothesis_api.max_shrinking_seconds(), int)

    @settings(database=None, derandomize=True, phases=[Phase.generate, Phase.shrink])
    @given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=30))
    def fails(values: list[int]) -> None:
        assert sum(values) < 0

    previous = hypothesis_api.set_max_shrinking_seconds(0)
    try:
        assert hypothesis_api.max_shrinking_seconds() == 0
        with pytest.raises(AssertionError) as raised:
            fails()
    finally:
        assert hypothesis_api.set_max_shrinking_seconds(previous) == 0
    said = capsys.readouterr().out + "\n".join(getattr(raised.value, "__notes__", []))
    assert "Hypothesis has spent more than" in said, "a bound of 0 s no longer stops Hypothesis' shrinker"


def test_the_shrink_count_bound_is_read_by_hypothesis_when_it_shrinks() -> None:
    """A bound of 0 shrinks stops at the first failing example; the default shrinks it."""
    calls: list[list[int]] = []

    @settings(database=None, derandomize=True, phases=[Phase.generate, Phase.shrink])
    @given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=30))
    def fails(values: list[int]) -> None:
        calls.append(values)
        assert sum(values) < 0

    previous = hypothesis_api.set_max_shrinks(0)
    try:
        assert hypothesis_api.max_shrinks() == 0
        with pytest.raises(AssertionError):
            fails()
    finally:
        assert hypothesis_api.set_max_shrinks(previous) == 0
    bounded, calls[:] = len(calls), []
    with pytest.raises(AssertionError):
        fails()
    assert bounded < 5 < len(calls), (bounded, len(calls))
    assert calls[-1] == [0] * 30, "unbounded, the example is shrunk to its minimum"


def test_only_the_private_modules_import_pytest_or_hypothesis_internals() -> None:
    found = []
    for path in sorted((ROOT / "adapter_contracts").rglob("*.py")):
        if path.parent == PRIVATE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.relative_to(ROOT)}: {name}" for name in names
                      if name.startswith("_pytest") or name.startswith("hypothesis.internal")]
    assert found == []


def test_an_xdist_workers_process_id_is_found_on_its_controller() -> None:
    """What the controller passes a SIGTERM on to (harness/interrupts.py): a local gateway's process, as
    the gateway itself reports it."""
    import execnet

    gateway = execnet.makegateway("popen")
    try:
        pid = gateway.remote_exec("import os; channel.send(os.getpid())").receive(timeout=30)
        assert xdist_api.worker_pid(SimpleNamespace(gateway=gateway)) == pid
    finally:
        gateway.exit()
    assert xdist_api.worker_pid(SimpleNamespace(gateway=None)) is None
