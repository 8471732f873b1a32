"""A pytest plugin for the fault tests: stop (SIGSTOP) a throwaway server in the middle of a run, or fill it.

``CONTRACT_TEST_STOP=postgres:3`` stops the server whose main process id is in
``CONTRACT_TEST_STOP_PIDFILE`` (the postmaster with every backend, or mysqld) after the
3rd contract of ``postgres``; the time is written to ``CONTRACT_TEST_STOP_STAMP``.  With
``CONTRACT_TEST_STOP_BACKENDS`` set, only the backends are stopped (the postmaster still accepts).
``CONTRACT_TEST_HOG=postgres:1`` instead opens connections to ``CONTRACT_TEST_HOG_DSN`` (another
database of the same server) after the 1st contract until the server refuses more, and holds them:
another client exhausting ``max_connections``.
``CONTRACT_TEST_READONLY=postgres:3`` makes the PostgreSQL at ``CONTRACT_TEST_HOG_DSN`` refuse writes
(``default_transaction_read_only``, reloaded) after the 3rd contract.
``CONTRACT_TEST_FILL=postgres:3`` fills the file system of ``CONTRACT_TEST_FILL_PATH`` (a file written
there until the disk is full) after the 3rd contract.
``CONTRACT_TEST_PAUSE=mysql:5`` writes ``paused-<pid>`` into ``CONTRACT_TEST_PAUSE_DIR`` after the 5th
contract (each xdist worker after its own 5th) and waits for ``go`` there, at most
``CONTRACT_TEST_PAUSE_SECONDS`` (60): the test does something to the server, or signals the run, meanwhile
(a process interrupted in its pause writes ``interrupted-<pid>``: what interrupted it).
``CONTRACT_TEST_RESTART=postgres:5`` restarts the PostgreSQL whose data directory is
``CONTRACT_TEST_RESTART_DATA`` after the 5th contract (``pg_ctl restart -m fast``, as its owner).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

_seen: dict[str, int] = {}
#: What a paused process writes (followed by its pid), and what lets every paused process go on.
PAUSED, GO = "paused-", "go"
#: What a paused process that was interrupted writes (followed by its pid): what interrupted it.
INTERRUPTED = "interrupted-"


def pause_env(engine: str, after: int, directory: Path, seconds: float = 60) -> dict[str, str]:
    """The environment that pauses each contract-running process of a child run after its ``after``-th
    contract of ``engine``, until :data:`GO` is written into ``directory`` or ``seconds`` pass."""
    return {"CONTRACT_TEST_PAUSE": f"{engine}:{after}", "CONTRACT_TEST_PAUSE_DIR": str(directory),
            "CONTRACT_TEST_PAUSE_SECONDS": f"{seconds:g}"}


def paused(directory: Path) -> int:
    """How many processes have paused in ``directory``."""
    return sum(1 for _ in directory.glob(f"{PAUSED}*"))


def interruptions(directory: Path) -> dict[int, str]:
    """What interrupted each process that paused in ``directory``, by its pid ("SIGTERM received")."""
    return {int(path.name.removeprefix(INTERRUPTED)): path.read_text() for path in directory.glob(f"{INTERRUPTED}*")}


#: The connections the hog holds until the run ends.
_held: list[Any] = []


def _hog() -> None:
    dsn = os.environ["CONTRACT_TEST_HOG_DSN"]
    if dsn.startswith("mysql://"):
        import pymysql

        from adapter_contracts.harness.engines.mysql.provisioning import parse_mysql_dsn

        address, _ = parse_mysql_dsn(dsn)
        for _ in range(500):
            try:
                _held.append(address.connect("mysql"))
            except pymysql.err.OperationalError:
                return
        return
    import psycopg

    for _ in range(500):
        try:
            _held.append(psycopg.connect(dsn, connect_timeout=5))
        except psycopg.OperationalError:
            return


def _restart(data: Path) -> None:
    import pwd

    from adapter_contracts.harness.engines.postgres import PG_BIN_DIRS
    from adapter_contracts.harness.provision.common import find_binary, run_as

    pg_ctl = find_binary("pg_ctl", PG_BIN_DIRS)
    assert pg_ctl is not None
    owner = pwd.getpwuid(data.stat().st_uid).pw_name if os.geteuid() == 0 else None
    done = run_as(owner, [pg_ctl, "-D", str(data), "-l", str(data.parent / "server.log"), "-m", "fast", "-w",
                          "restart"], cwd=data.parent, timeout=60)
    assert done.returncode == 0, done.stderr or done.stdout


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    hog = bool(os.environ.get("CONTRACT_TEST_HOG"))
    restart = bool(os.environ.get("CONTRACT_TEST_RESTART"))
    readonly = bool(os.environ.get("CONTRACT_TEST_READONLY"))
    fill = bool(os.environ.get("CONTRACT_TEST_FILL"))
    pause = bool(os.environ.get("CONTRACT_TEST_PAUSE"))
    variable = ("CONTRACT_TEST_HOG" if hog else "CONTRACT_TEST_RESTART" if restart
                else "CONTRACT_TEST_READONLY" if readonly else "CONTRACT_TEST_FILL" if fill
                else "CONTRACT_TEST_PAUSE" if pause else "CONTRACT_TEST_STOP")
    engine, _, after = os.environ.get(variable, "").partition(":")
    callspec = getattr(item, "callspec", None)
    if not engine or callspec is None or callspec.params.get("engine") != engine:
        return
    _seen[engine] = _seen.get(engine, 0) + 1
    if _seen[engine] != int(after):
        return
    if hog:
        _hog()
        return
    if pause:
        here = Path(os.environ["CONTRACT_TEST_PAUSE_DIR"])
        (here / f"{PAUSED}{os.getpid()}").write_text(str(time.time()))
        deadline = time.monotonic() + float(os.environ.get("CONTRACT_TEST_PAUSE_SECONDS", "60"))
        try:
            while not (here / GO).exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        except KeyboardInterrupt as interrupt:
            # What ended the pause: the harness's handler names its signal; execnet's own interruption of
            # a worker that its controller is shutting down is a bare KeyboardInterrupt.
            (here / f"{INTERRUPTED}{os.getpid()}").write_text(str(interrupt) or "KeyboardInterrupt")
            raise
        return
    if fill:
        # Down to the last byte: a megabyte left over is room for a hundred pages.
        sink = os.open(os.environ["CONTRACT_TEST_FILL_PATH"], os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            for size in (1 << 20, 1 << 12, 1):
                block = b"\0" * size
                while True:
                    try:
                        os.write(sink, block)
                    except OSError:
                        break
        finally:
            os.close(sink)
        return
    if readonly:
        import psycopg

        with psycopg.connect(os.environ["CONTRACT_TEST_HOG_DSN"], autocommit=True) as conn:
            conn.execute("ALTER SYSTEM SET default_transaction_read_only = on")
            conn.execute("SELECT pg_reload_conf()")
        time.sleep(0.5)  # every backend reads the reloaded file
        return
    if restart:
        _restart(Path(os.environ["CONTRACT_TEST_RESTART_DATA"]))
        return
    from tests.throwaway import family

    pid = int(Path(os.environ["CONTRACT_TEST_STOP_PIDFILE"]).read_text().split()[0])
    # CONTRACT_TEST_STOP_BACKENDS: the backends only, the postmaster still accepting connections.
    for member in family(pid)[1 if os.environ.get("CONTRACT_TEST_STOP_BACKENDS") else 0:]:
        os.kill(member, signal.SIGSTOP)
    Path(os.environ["CONTRACT_TEST_STOP_STAMP"]).write_text(str(time.time()))


def pytest_unconfigure() -> None:
    # Closed here, not left to the interpreter's exit: psycopg warns about a connection collected
    # while open, and under the run's warning filters that warning printed a traceback at exit.
    while _held:
        with contextlib.suppress(Exception):  # the server may be gone: nothing is left to close then
            _held.pop().close()
