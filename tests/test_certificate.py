"""The verdict cannot lie: interrupted, stopped and partial runs, the named target, usage errors, dead servers.

Every check runs the harness as a user would, in its own pytest process, and
reads the terminal, the JSON report and the Markdown report alike.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import settings

from adapter_contracts.harness import profiles
from tests.inner import CONTRACTS, child_env, gave_up_after
from tests.kill_server import live_segments
from tests.stop_server import GO, pause_env, paused
from tests.throwaway import processes

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.heavy
pytest_plugins = ["pytester"]
SECRET = "hunter2-never-shown"
#: --server-timeout of the killed-server runs.
KILL_BOUND = 2.0


def _pytest(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
                          cwd=ROOT, env=child_env(**env), capture_output=True, text=True, timeout=600, check=False)


def _reports(base: Path) -> tuple[dict[str, object], str]:
    return json.loads(base.with_suffix(".json").read_text()), base.with_suffix(".md").read_text()


def _default_sigint() -> None:
    """A shell's background job starts with SIGINT ignored, and Python keeps it so: undo that,
    as a terminal's Ctrl-C or a CI runner would find it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupt(args: list[str], signum: signal.Signals, tmp_path: Path, processes: int) -> tuple[int, str]:
    """Start a run, send ``signum`` once each of its ``processes`` that run contracts (the run, or each
    xdist worker) has passed some and paused inside the next (tests/stop_server.py), return (exit
    status, output).  A pause, not a wait for the first progress dots: under xdist the workers ran
    the heaviest contracts at the ci budget before any dot (7.7 CPU-s for that run, now about 2)."""
    output, pauses = tmp_path / "output", tmp_path / "pauses"
    pauses.mkdir()
    with open(output, "w+", encoding="utf-8") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-p", "tests.stop_server",
             "-p", "tests.child_budget", *args], cwd=ROOT,
            env=child_env(PYTHONUNBUFFERED="1", **pause_env("memory", 5, pauses)),
            stdout=sink, stderr=subprocess.STDOUT, text=True, preexec_fn=_default_sigint)
        deadline = time.monotonic() + 120
        while (time.monotonic() < deadline and process.poll() is None
               and paused(pauses) < processes):
            time.sleep(0.05)
        assert process.poll() is None, "the run ended before it could be interrupted:\n" + output.read_text()
        process.send_signal(signum)
        (pauses / GO).write_text("")  # a worker the signal did not end goes on, as it would have
        code = process.wait(timeout=120)
    return code, output.read_text()


@pytest.mark.waits(2.5)
@pytest.mark.parametrize(("workers", "signum"), [(["-n", "2"], signal.SIGINT), ([], signal.SIGTERM)],
                         ids=["xdist-SIGINT", "serial-SIGTERM"])
def test_an_interrupted_run_is_not_certified(tmp_path: Path, workers: list[str], signum: signal.Signals) -> None:
    """The verdict's first reason is the interruption: one contract file, a few examples per contract
    (tests/child_budget.py), so the partial run and the budget below ci are later reasons of the same
    verdict, never the one checked here."""
    report = tmp_path / "report"
    code, out = _interrupt([*workers, "--engine", "memory", "--conformance-report", str(report),
                            f"{CONTRACTS}/test_users.py"], signum, tmp_path, 2 if workers else 1)
    assert code == int(pytest.ExitCode.INTERRUPTED), out[-3000:]
    assert "memory: CERTIFIED" not in out, out[-3000:]
    assert "memory: NOT CERTIFIED: interrupted" in out, out[-3000:]
    # pytest's crash line for the interruption, rendered from the traceback the harness cut to it.
    assert re.search(r"^\S+\.py:\d+: KeyboardInterrupt", out, re.MULTILINE), out[-3000:]
    document, markdown = _reports(report)
    engines = document["engines"]
    assert isinstance(engines, dict)
    assert engines["memory"]["certified"] is False
    assert engines["memory"]["verdict"].startswith("NOT CERTIFIED: interrupted"), engines["memory"]["verdict"]
    assert document["complete"] is False, document
    assert document["interrupted"], document
    assert "NOT CERTIFIED: interrupted" in markdown
    assert "CERTIFIED:" not in markdown.replace("NOT CERTIFIED:", "")


@pytest.mark.waits(3.5)
def test_a_run_stopped_by_maxfail_is_not_certified(tmp_path: Path) -> None:
    """A few examples per contract and shrinking bounded by a count (tests/child_budget.py): the
    verdict's reason is what is checked, the contracts that did not run.  About 4 CPU-s."""
    report = tmp_path / "report"
    done = _pytest("-p", "tests.child_budget", "--maxfail=1", "--adapter",
                   "tests.gallery.keys:case_insensitive_ids", "--conformance-report", str(report), CONTRACTS)
    assert done.returncode == 1, done.stdout[-3000:]
    verdict = next(line for line in done.stdout.splitlines() if line.startswith("memory: "))
    assert verdict.startswith("memory: NOT CERTIFIED: 1 failed"), verdict
    assert "contracts did not run" in verdict, verdict
    document, markdown = _reports(report)
    engines = document["engines"]
    assert isinstance(engines, dict)
    assert engines["memory"]["certified"] is False
    assert "did not run" in engines["memory"]["verdict"]
    assert "--maxfail=1" in document["coverage_options"]  # type: ignore[operator]
    assert verdict.removeprefix("memory: ") in markdown


@pytest.mark.waits(2)
@pytest.mark.parametrize(("option", "dsn", "shown"), [
    ("--postgres-dsn", f"postgresql://postgres:{SECRET}@127.0.0.1:5999/postgres", "postgresql://postgres:***@127.0.0.1:5999/postgres"),
    ("--mysql-dsn", f"mysql://root:{SECRET}@127.0.0.1:3306/", "mysql://root:***@127.0.0.1:3306"),
], ids=["postgres-nothing-listening", "mysql-wrong-password"])
def test_a_dsn_that_cannot_be_used_stops_a_run_that_requires_its_engine(option: str, dsn: str, shown: str) -> None:
    engine = "postgres" if option.startswith("--postgres") else "mysql"
    done = _pytest("--engine", engine, "--require-engine", engine, option, dsn, f"{CONTRACTS}/test_users.py")
    out = done.stdout + done.stderr
    assert done.returncode == 3, out[-3000:]
    assert f"required engine unavailable: {engine} not available; tried dsn " in out, out[-3000:]
    assert shown in out, out[-3000:]
    assert SECRET not in out, "the DSN's password was printed"
    assert "via local" not in out, "fell back to a throwaway server although a DSN was named"


def test_an_unusable_dsn_is_a_skipped_engine_and_a_failed_certification() -> None:
    """Without --require-engine the engine is skipped, never replaced, and --adapter fails the run."""
    done = _pytest("--adapter", "tests.gallery.on_postgres:cascade_statement_by_statement",
                   "--postgres-dsn", f"postgresql://postgres:{SECRET}@127.0.0.1:5999/postgres",
                   f"{CONTRACTS}/test_users.py")
    out = done.stdout + done.stderr
    assert done.returncode == 1, out[-3000:]
    assert "contract harness: nothing certified for postgres (postgres not available; tried dsn " in out, out[-3000:]
    assert SECRET not in out


USAGE_ERRORS = [
    ["--provider", "bogus"],
    ["--provider", "postgres=bogus"],
    ["--engine", "oracle"],
    ["--startup-timeout", "0"],
    ["--startup-timeout", "-5"],
    ["--startup-timeout", "nan"],
    ["--adapter", "tests.plugged_factories:raises"],
    ["--adapter", "tests.plugged_factories:returns_a_dict"],
    ["--adapter", "tests.plugged_factories:unmarked"],
]


def _usage_error_id(args: list[str]) -> str:
    return "=".join(args).replace("tests.plugged_factories:", "")


def _assert_one_line_usage_error(code: int, out: str, args: list[str]) -> None:
    assert code == int(pytest.ExitCode.USAGE_ERROR), out[-3000:]
    assert "INTERNALERROR" not in out, out[-3000:]
    assert "Traceback" not in out, out[-3000:]
    errors = [line for line in out.splitlines() if "error" in line.lower()]
    assert len(errors) == 1, out[-3000:]
    if "raises" in args[-1]:
        assert "RuntimeError: cannot reach the licence server" in errors[0], errors


@pytest.mark.parametrize("args", USAGE_ERRORS, ids=_usage_error_id)
def test_usage_errors_are_one_line_and_exit_4(args: list[str], pytester: pytest.Pytester,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """In this process (pytest.main, as pytester runs it): the option table, the factory's loading
    and its call each end the run with one line and exit status 4.  The same path in a real
    interpreter, serial and under xdist, is test_usage_errors_in_a_real_interpreter.  About 0.3 s each."""
    for name in [name for name in os.environ if name.startswith(("CONTRACT_", "PYTEST_"))
                 and name != "PYTEST_CURRENT_TEST"]:  # as child_env() leaves a child run's
        monkeypatch.delenv(name)
    monkeypatch.chdir(ROOT)
    # The inner run loads a Hypothesis profile of its own, which must not outlive it here.
    monkeypatch.setattr(profiles, "_loaded", list(profiles._loaded))
    previous = settings.get_current_profile_name()
    try:
        done = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-q", *args, f"{CONTRACTS}/test_users.py")
    finally:
        settings.load_profile(previous)
    _assert_one_line_usage_error(done.ret, "\n".join(done.outlines + done.errlines).strip(), args)


@pytest.mark.parametrize(("workers", "args"), [
    ([], USAGE_ERRORS[6]),
    (["-n", "2"], USAGE_ERRORS[0]),
    (["-n", "2"], USAGE_ERRORS[6]),
], ids=["serial-raises", "xdist-provider=bogus", "xdist-raises"])
def test_usage_errors_in_a_real_interpreter(workers: list[str], args: list[str]) -> None:
    """From a real interpreter: a factory that raises, serially; under xdist an option the controller
    refuses before any worker starts, and the same factory, called on each worker (whose error the
    controller prints once).  One line, exit status 4.  About 1 s serial, 2-4 s under xdist."""
    done = _pytest(*workers, *args, f"{CONTRACTS}/test_users.py")
    _assert_one_line_usage_error(done.returncode, (done.stdout + done.stderr).strip(), args)


@pytest.mark.waits(8)
@pytest.mark.parametrize("server", ["postgres", "mysql"])
def test_a_server_killed_mid_run_ends_its_engine_in_seconds(tmp_path: Path, server: str) -> None:
    stamp = tmp_path / "killed-at"
    # A small bound (the default is 10 s; the option's own tests check it reaches the endpoint): the
    # engine gives up after about two bounds, so this costs 6-7 s rather than 25 s (8-10 s at a bound
    # of 3 s; the fault tests of tests/test_server_faults.py run at 2 s too).
    # tests/child_budget.py: the verdict checked is a server fault, never a certificate, and the ten
    # contracts before the kill (the model test among them) need not explore.
    done = _pytest("-p", "tests.kill_server", "-p", "tests.child_budget", "--engine", server,
                   "--server-timeout", str(KILL_BOUND), CONTRACTS,
                   CONTRACT_TEST_KILL=f"{server}:10", CONTRACT_TEST_KILL_STAMP=str(stamp))
    ended = time.time()
    out = done.stdout + done.stderr
    assert stamp.exists(), "the server was never killed:\n" + out[-3000:]
    after = ended - float(stamp.read_text())
    assert done.returncode == 1, out[-3000:]
    gave_up = gave_up_after(server, out)
    assert gave_up is not None, out[-3000:]
    # The harness gives up within its window of two bounds, by its own clock (waits, not CPU work)...
    assert gave_up <= 2 * KILL_BOUND + 1, out[-3000:]
    # ...and the run then winds down (the engine's other contracts marked, the report, cleanup, exit):
    # 8 s on a quiet machine, 16 s under the README command's load; a wait per remaining contract would
    # take minutes.
    assert after < 2 * KILL_BOUND + 24, f"the run went on for {after:.1f}s after the server was killed"
    assert len(out.splitlines()) < 120, f"{len(out.splitlines())} lines of output:\n{out[-3000:]}"
    assert "Traceback" not in out, out[-3000:]
    assert os.path.exists(ROOT)
    # A killed PostgreSQL leaves shared memory that only a server on its data directory removes: the
    # harness starts one before the directory goes (2 files in /dev/shm and 1 segment per kill before).
    left = json.loads(Path(f"{stamp}.shm").read_text())
    assert [name for name in left["files"] if os.path.exists(name)] == [], left
    assert [segment for segment in left["segments"] if segment in live_segments()] == [], left
    # Nothing of the run stays running, its watchdog included: the killed server took the run's database
    # along with its directory, so nothing is left to retry (a guard on it kept the watchdog for 5 min).
    assert _still_running(f"CONTRACT_TEST_KILL_STAMP={stamp}") == [], out[-3000:]


def _still_running(variable: str, seconds: float = 15) -> list[str]:
    """The command lines of the processes whose environment holds ``variable`` (NAME=value) once none is
    left or ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while True:
        found = []
        for pid, environ in processes("environ"):
            if variable.encode() in environ.split(b"\0"):
                with contextlib.suppress(OSError):  # ended meanwhile
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                    found.append(cmdline.replace(b"\0", b" ").decode(errors="replace"))
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)
