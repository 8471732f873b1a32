"""A server's faults are the server's: a server that stops answering ends its engine within the bound, in
one verdict line naming the server, and leaves nothing behind once it answers again.

Every fault is put on a throwaway server this file starts (tests/throwaway.py), reached by the child run
through ``--<engine>-dsn`` as a shared server would be; the service servers are never stopped.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest

from adapter_contracts.adapters.bounds import GRACE
from adapter_contracts.harness.config import HarnessConfig
from adapter_contracts.harness.engines.base import dsn_names
from adapter_contracts.harness.engines.mysql import MySQLEngine
from adapter_contracts.harness.engines.mysql import provisioning as mysql_provisioning
from adapter_contracts.harness.engines.mysql.provisioning import parse_mysql_dsn
from adapter_contracts.harness.engines.postgres import PostgresEngine
from adapter_contracts.harness.engines.postgres import provisioning as pg_provisioning
from adapter_contracts.harness.provision import common as provision_common
from adapter_contracts.harness.provision import watchdog as watchdog_process
from adapter_contracts.harness.provision.common import CLEANUP_TIMEOUT
from adapter_contracts.harness.provision.watchdog import CleanupIncomplete
from adapter_contracts.harness.usage import ConfigError
from tests.inner import CONTRACTS, ROOT, child_env, gave_up_after
from tests.stop_server import GO, pause_env, paused
from tests.suite_seeds import suite_seeds
from tests.throwaway import Throwaway, throwaway

pytestmark = pytest.mark.heavy

#: --server-timeout of the child runs: small, so that each test costs seconds.
BOUND = 2.0


def _databases(server: Throwaway) -> list[str]:
    """The contract_* databases on ``server`` (not its own ``contract`` database)."""
    if server.engine == "postgres":
        with psycopg.connect(server.dsn, autocommit=True, connect_timeout=5) as conn:
            return [str(r[0]) for r in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE 'contract\\_%'")]
    address, _ = parse_mysql_dsn(server.dsn)
    with address.connect() as conn, conn.cursor() as cur:
        cur.execute("SHOW DATABASES LIKE 'contract\\_%'")
        return [str(r[0]) for r in cur.fetchall()]


def _run(server: Throwaway, stamp: Path, *extra: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-p", "tests.stop_server",
         f"--{server.engine}-dsn", server.dsn, "--engine", server.engine, "--server-timeout", str(BOUND),
         *extra, f"{CONTRACTS}/test_users.py"],
        cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        env=child_env(CONTRACT_TEST_STOP=f"{server.engine}:3", CONTRACT_TEST_STOP_PIDFILE=str(server.pid_file),
                      CONTRACT_TEST_STOP_STAMP=str(stamp), CONTRACT_WATCHDOG_WINDOW="120",
                      PYTHONUNBUFFERED="1", **env),
    )


def _gone_after_continue(server: Throwaway) -> list[str]:
    """Continue the server and give the watchdog its backoff to drop what the run could not."""
    server.signal_all(signal.SIGCONT)
    deadline = time.monotonic() + 40
    while (left := _databases(server)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


@pytest.mark.waits(14)
@pytest.mark.parametrize(("kind", "workers"), [("postgres", []), ("mysql", []), ("postgres", ["-n", "2"])],
                         ids=["postgres", "mysql", "postgres-xdist"])
def test_a_stopped_server_ends_its_engine_within_the_bound_and_leaves_nothing(
        tmp_path: Path, kind: str, workers: list[str]) -> None:
    """SIGSTOP on the server (postmaster and backends; mysqld) after the 3rd contract of one small file.

    Under xdist each worker stops the server at its own 3rd contract and cleans its own database up at
    the end of its session: what it could not remove reaches the controller's report with its other facts.

    Before: PostgreSQL was still running 150 s after the stop, needed SIGTERM and left its database;
    now the engine ends about 3 bounds after the stop, cleanup gives up after one more, and the
    watchdog drops the database once the server is continued.  Cost: about 20 s per engine
    (server start 3-5 s, the bound 3 s four times, the watchdog's backoff).
    """
    stamp, report = tmp_path / "stopped-at", tmp_path / "report"
    with throwaway(kind) as server:
        run = _run(server, stamp, *workers, "--conformance-report", str(report))
        try:
            out, _ = run.communicate(timeout=120)
        finally:
            run.kill()
        ended = time.time()
        left = _gone_after_continue(server)
    assert stamp.exists(), "the server was never stopped:\n" + out[-3000:]
    after = ended - float(stamp.read_text())
    verdicts = [line for line in out.splitlines() if line.startswith(f"{kind}: NOT CERTIFIED")]
    assert len(verdicts) == 1, out[-3000:]
    assert verdicts[0].startswith(f"{kind}: NOT CERTIFIED: server fault: "), verdicts[0]
    gave_up = gave_up_after(kind, verdicts[0])
    assert gave_up is not None, verdicts[0]
    # The harness gives up on the stopped server within its window (two bounds) and the attempt then in
    # flight (a bound and the client's grace), by its own clock: waits, not CPU work...
    assert gave_up <= 3 * BOUND + GRACE + 1, verdicts[0]
    # ...and the run ends soon after: a bounded cleanup, then the report.  12.5-16.4 s after the stop
    # with three busy loops on the machine's two cores; a wait per remaining contract would take
    # minutes.
    assert after < 5 * BOUND + 20, f"the run went on for {after:.1f}s after the server stopped:\n{out[-3000:]}"
    assert " failed" not in verdicts[0], "the server's fault was counted against the adapter"
    assert "Traceback" not in out, out[-3000:]
    assert "INTERNALERROR" not in out, out[-3000:]
    assert len(out.splitlines()) < 25, out[-3000:]
    assert run.returncode == 1, out[-3000:]
    assert left == [], f"left behind after the server answered again: {left}"
    # What cleanup could not remove while the server was stopped is named, with its command.
    left_behind = json.loads(report.with_suffix(".json").read_text())["left_behind"]
    assert len(left_behind) == (2 if workers else 1), left_behind  # a database per worker
    assert all("DROP DATABASE contract_" in line for line in left_behind), left_behind
    assert "## Left behind" in report.with_suffix(".md").read_text()


@pytest.mark.waits(8)
@pytest.mark.parametrize("kind", ["postgres", "mysql"])
def test_sigterm_ends_a_run_blocked_on_a_stopped_server_within_seconds(tmp_path: Path, kind: str) -> None:
    """SIGTERM while the run waits on a stopped server: it ends within seconds, cleanup included, and
    nothing stays once the server answers again.  Cost: about 10-12 s per engine."""
    stamp = tmp_path / "stopped-at"
    with throwaway(kind) as server:
        run = _run(server, stamp)
        try:
            deadline = time.monotonic() + 60
            while not stamp.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1)  # blocked in a wait on the stopped server by now
            run.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            out, _ = run.communicate(timeout=60)
            took = time.monotonic() - signalled
        finally:
            run.kill()
        left = _gone_after_continue(server)
    # 6.7-8.8 s with three busy loops on the machine's two cores.
    assert took < 4 * BOUND + 10, f"{took:.1f}s from SIGTERM to the end:\n{out[-3000:]}"
    assert "interrupted" in out.lower(), out[-3000:]
    assert "Traceback" not in out, out[-3000:]
    assert "INTERNALERROR" not in out, out[-3000:]
    assert left == [], f"left behind after the server answered again: {left}"


@pytest.mark.parametrize(("raw", "expected"), [(None, 10.0), ("2.5", 2.5), ("600", 600.0)])
def test_the_server_timeout_option_feeds_the_endpoint(raw: str | None, expected: float) -> None:
    assert HarnessConfig.from_values({"contract_server_timeout": raw}).server_timeout == expected


@pytest.mark.parametrize("raw", ["0", "-1", "nan", "inf", "601", "soon"])
def test_a_server_timeout_out_of_bounds_is_a_usage_error(raw: str) -> None:
    with pytest.raises(ConfigError, match="--server-timeout"):
        HarnessConfig.from_values({"contract_server_timeout": raw})


@pytest.mark.waits(3)
@pytest.mark.parametrize("kind", ["postgres", "mysql"])
def test_connections_exhausted_by_another_client_are_a_server_fault(kind: str) -> None:
    """Another client takes every connection of a throwaway server after the first contract of the
    consistency area, whose contracts open second instances.  Before: "N failed (areas:
    consistency)" against a correct adapter; now a server fault naming who holds the connections.
    (tests/gallery/leaks.py is the counterpart: an adapter that fills the server itself stays failed.)
    Cost: about 6 s per engine."""
    with throwaway(kind) as server:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-p", "tests.stop_server",
             f"--{kind}-dsn", server.dsn, "--engine", kind, "--server-timeout", str(BOUND),
             f"{CONTRACTS}/test_consistency.py"],
            cwd=ROOT, text=True, capture_output=True, timeout=300, check=False,
            env=child_env(CONTRACT_TEST_HOG=f"{kind}:1", CONTRACT_TEST_HOG_DSN=server.dsn,
                          CONTRACT_WATCHDOG_WINDOW="5"))
    out = done.stdout + done.stderr
    verdict = next(line for line in out.splitlines() if line.startswith(f"{kind}: NOT CERTIFIED"))
    assert "server fault: too many connections (" in verdict, out[-3000:]
    assert "held by other clients" in verdict, verdict
    assert " failed (areas" not in verdict, "the server's fault was counted against the adapter"
    assert "Traceback" not in out, out[-3000:]


@pytest.mark.waits(4)
def test_a_restart_mid_run_is_survived_and_the_contract_it_cut_is_the_servers() -> None:
    """``pg_ctl restart -m fast`` after the 5th contract of one file.  Before: the single reconnect
    landed while the server shut down and every remaining contract went "engine down"; now the
    harness reconnects with backoff, the contracts after it run normally, and the one the restart
    cut is a server fault.  Cost: about 3 s."""
    with throwaway("postgres") as server:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-p", "tests.stop_server",
             "--postgres-dsn", server.dsn, "--engine", "postgres", "--server-timeout", str(BOUND),
             f"{CONTRACTS}/test_users.py"],
            cwd=ROOT, text=True, capture_output=True, timeout=300, check=False,
            env=child_env(CONTRACT_TEST_RESTART="postgres:5", CONTRACT_TEST_RESTART_DATA=str(server.workdir / "data")))
    out = done.stdout + done.stderr
    verdict = next(line for line in out.splitlines() if line.startswith("postgres: NOT CERTIFIED"))
    assert "server fault: server dropped or stopped answering connections during the contract" in verdict, out[-3000:]
    assert "remaining contracts cannot run" not in verdict, verdict
    assert " failed (areas" not in verdict, "the restart was counted against the adapter"
    summary = out.strip().splitlines()[-1]
    assert "engine down" not in summary or summary.split(" engine down")[0].rsplit(" ", 1)[-1] in ("1", "2"), summary
    assert "Traceback" not in out, out[-3000:]


@pytest.mark.waits(8)
def test_a_server_turned_read_only_mid_run_is_a_server_fault() -> None:
    """The server refuses writes from the 4th contract on (as a failover to a standby, or a full
    disk's emergency setting, would).  Before: every write contract "failed" against the adapter
    ("adapter: None / reference: a value"); now the verdict names the server.  Cost: about 10 s."""
    with throwaway("postgres") as server:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-p", "tests.stop_server",
             "--postgres-dsn", server.dsn, "--engine", "postgres", "--server-timeout", str(BOUND),
             f"{CONTRACTS}/test_users.py"],
            cwd=ROOT, text=True, capture_output=True, timeout=300, check=False,
            env=child_env(CONTRACT_TEST_READONLY="postgres:3", CONTRACT_TEST_HOG_DSN=server.dsn,
                          CONTRACT_WATCHDOG_WINDOW="5"))
    out = done.stdout + done.stderr
    verdict = next(line for line in out.splitlines() if line.startswith("postgres: NOT CERTIFIED"))
    assert "server fault: read-only" in verdict, out[-3000:]
    assert " failed (areas" not in verdict, "the server's fault was counted against the adapter"
    assert "Traceback" not in out, out[-3000:]


@pytest.fixture
def small_disk(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A 120 MB tmpfs that throwaway servers put their work directories in (where the server's own
    account can reach it: pytest's tmp_path is private to root)."""
    mount = Path(tempfile.mkdtemp(prefix="contract-test-disk-", dir="/tmp"))
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=120m,mode=1777", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    monkeypatch.setattr(tempfile, "tempdir", str(mount))
    monkeypatch.setattr(provision_common, "ram_disk", lambda: None)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
        mount.rmdir()


@pytest.mark.waits(6)
def test_a_full_disk_is_a_server_fault_and_its_database_is_dropped_later(small_disk: Path) -> None:
    """The throwaway PostgreSQL's disk fills after the 3rd payload contract.  Before: "36 failed"
    against a correct adapter, then the cleanup's DROP DATABASE forced a checkpoint on the full disk
    that took the server down; now the verdict names the disk, the drop is left to the watchdog, which
    drops the database once there is room again.  Cost: about 9 s (root only: it mounts a tmpfs)."""
    filler = small_disk / "filler"
    with throwaway("postgres") as server:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-x", "-p", "tests.stop_server",
             "--postgres-dsn", server.dsn, "--engine", "postgres", "--server-timeout", str(BOUND),
             f"{CONTRACTS}/test_payloads.py"],
            cwd=ROOT, text=True, capture_output=True, timeout=300, check=False,
            env=child_env(CONTRACT_TEST_FILL="postgres:3", CONTRACT_TEST_FILL_PATH=str(filler),
                          CONTRACT_WATCHDOG_WINDOW="60", CONTRACT_WATCHDOG_DEFER="3"))
        out = done.stdout + done.stderr
        filler.unlink()
        deadline = time.monotonic() + 40
        while (left := _databases(server)) and time.monotonic() < deadline:
            time.sleep(0.2)
    verdict = next(line for line in out.splitlines() if line.startswith("postgres: NOT CERTIFIED"))
    assert "server fault: disk full" in verdict, out[-3000:]
    assert " failed (areas" not in verdict, "the server's fault was counted against the adapter"
    assert "left for now (postgres: disk full)" in out, out[-3000:]
    assert left == [], f"the watchdog did not drop {left} once there was room"


@pytest.mark.waits(1.5)
@pytest.mark.parametrize("kind", ["postgres", "mysql"])
def test_the_final_stop_of_a_stopped_throwaway_server_is_immediate(kind: str) -> None:
    """The harness's own local server, stopped (SIGSTOP) when the run ends.  Before: pg_ctl waited
    35 s and raised, leaving the server for the watchdog; now it is continued, then stopped.
    Cost: about 3 s per engine (a server start)."""
    stack = ExitStack()
    local = (pg_provisioning.local_server(PostgresEngine(), stack, 60, seeds=suite_seeds()) if kind == "postgres"
             else mysql_provisioning.local_server(MySQLEngine(), stack, 60, seeds=suite_seeds()))
    pid_file = local.workdir / ("data/postmaster.pid" if kind == "postgres" else "mysqld.pid")
    Throwaway(kind, "", pid_file, local.workdir).signal_all(signal.SIGSTOP)
    began = time.monotonic()
    stack.close()
    assert time.monotonic() - began < 10
    assert not local.workdir.exists()


@pytest.mark.waits(4)
@pytest.mark.parametrize("kind", ["postgres", "mysql"])
def test_the_runs_own_cleanup_waits_no_longer_than_its_server_timeout(
        kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run at ``--server-timeout 0.5`` whose server stopped answering gives its DROP DATABASE up after
    that bound (libpq waits 2 s at least; PyMySQL's reads add the client's grace, 2 s), not after the
    cleanup's own 5 s, and leaves the database to the watchdog.  Before: 5.0 s on PostgreSQL and 7.0 s
    on MySQL at any ``--server-timeout``, 3 s more than needed in each stopped-server run above.
    In-process: a server start and the bound, about 3 s per engine."""
    monkeypatch.setattr(watchdog_process.watchdog, "_send", lambda message: None)  # no retries to outlive us
    with throwaway(kind) as server:
        config = HarnessConfig.from_values({dsn_names(kind)[1]: server.dsn, "contract_server_timeout": "0.5"})
        engine = PostgresEngine() if kind == "postgres" else MySQLEngine()
        stack = ExitStack()
        try:
            engine.start("dsn", config, stack)
        except BaseException:
            stack.close()
            raise
        server.signal_all(signal.SIGSTOP)
        began = time.monotonic()
        with pytest.raises(CleanupIncomplete, match="not dropped"):
            stack.close()
        took = time.monotonic() - began
    assert took < CLEANUP_TIMEOUT - 1, f"the cleanup waited {took:.1f}s on a run at --server-timeout 0.5"


@pytest.mark.waits(15)
def test_backends_that_stop_answering_are_a_server_fault_and_the_run_goes_on(tmp_path: Path) -> None:
    """Only the PostgreSQL backends are stopped (the postmaster still accepts connections): the contract
    whose session got no answer is the server's, the harness's and the adapter's new sessions carry
    on, and the database is dropped once the backends are continued.  Cost: about 20 s."""
    stamp = tmp_path / "stopped-at"
    with throwaway("postgres") as server:
        run = _run(server, stamp, CONTRACT_TEST_STOP_BACKENDS="1")
        try:
            out, _ = run.communicate(timeout=120)
        finally:
            run.kill()
        left = _gone_after_continue(server)
    verdict = next(line for line in out.splitlines() if line.startswith("postgres: NOT CERTIFIED"))
    assert "server fault: server stopped answering" in verdict or "stopped answering connections" in verdict, \
        out[-3000:]
    assert " failed (areas" not in verdict, "the server's fault was counted against the adapter"
    assert "Traceback" not in out, out[-3000:]
    passed = int(verdict.split(" of 5", 1)[0].rsplit(" ", 1)[-1])
    assert passed >= 45, f"the run did not go on after the fault: {verdict}"
    assert left == [], f"left behind after the backends answered again: {left}"


@pytest.mark.waits(3)
def test_a_mariadb_restart_mid_run_is_survived(tmp_path: Path) -> None:
    """The throwaway MariaDB restarted (stopped, started on its port and data) between the 5th and 6th
    contracts: the run goes on, and the contract the restart cut, if any, is the server's.
    Cost: about 8 s."""
    with throwaway("mysql") as server:
        run = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-p", "tests.stop_server",
             "--mysql-dsn", server.dsn, "--engine", "mysql", "--server-timeout", str(BOUND),
             f"{CONTRACTS}/test_users.py"],
            cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env=child_env(**pause_env("mysql", 5, tmp_path)))
        try:
            deadline = time.monotonic() + 60
            while not paused(tmp_path) and time.monotonic() < deadline:
                time.sleep(0.05)
            server.restart()
            (tmp_path / GO).write_text("")
            out, _ = run.communicate(timeout=120)
        finally:
            run.kill()
    verdict = next(line for line in out.splitlines() if line.startswith("mysql: "))
    assert "remaining contracts cannot run" not in verdict, out[-3000:]
    assert " failed (areas" not in verdict, "the restart was counted against the adapter"
    assert "Traceback" not in out, out[-3000:]
    assert "engine down" not in out.strip().splitlines()[-1] or " 1 engine down" in out, out[-3000:]
