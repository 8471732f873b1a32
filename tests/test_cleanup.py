"""Nothing is left behind however a run ends: SIGTERM (serial and xdist), SIGKILL (of the run, and of the
run with its server), and the next run's sweep.

Runs are identified by their processes: every database and work directory the
harness makes carries an owner record naming the process that made it, so the
checks below look only at what the child run (controller and workers) created,
never at what concurrent tests of this suite are using.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import Any

import psycopg
import psycopg.sql
import pymysql
import pytest

from adapter_contracts.harness.engines.postgres import PostgresEngine
from adapter_contracts.harness.engines.postgres import provisioning as pg_provisioning
from adapter_contracts.harness.engines.postgres.provisioning import HARNESS_MARK
from adapter_contracts.harness.provision import watchdog as watchdog_process
from adapter_contracts.harness.provision.common import MARKER_TABLE, MARKER_TEXT
from adapter_contracts.harness.provision.ownership import OWNER_FILE, owner_record, parse_owner
from tests.inner import CONTRACTS, child_env
from tests.kill_server import live_segments, shared_memory
from tests.stop_server import interruptions, pause_env, paused
from tests.suite_seeds import suite_seeds
from tests.throwaway import family, processes

ROOT = Path(__file__).resolve().parents[1]
PG = "postgresql://postgres@127.0.0.1:5432/postgres"
pytestmark = pytest.mark.heavy


def _mysql() -> Any:
    return pymysql.connect(host="127.0.0.1", port=3306, user="root", password="", ssl_disabled=True,
                           autocommit=True, charset="utf8mb4")


def databases() -> dict[str, int | None]:
    """Every contract_* database on the two service servers -> the pid its owner record names."""
    found: dict[str, int | None] = {}
    with psycopg.connect(PG, autocommit=True) as conn:
        for name, mark in conn.execute("SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database"
                                       " WHERE datname LIKE 'contract\\_%'"):
            record = parse_owner(str(mark or "").removeprefix(HARNESS_MARK + " "))
            found[f"postgres/{name}"] = record["pid"] if record else None
    with _mysql() as conn, conn.cursor() as cur:
        cur.execute("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'contract\\_%'")
        for (name,) in cur.fetchall():
            try:
                cur.execute(f"SELECT owner FROM `{name}`.{MARKER_TABLE}")
                row = cur.fetchone()
            except pymysql.err.Error:
                row = None
            record = parse_owner(str(row[0])) if row else None
            found[f"mysql/{name}"] = record["pid"] if record else None
    return found


def workdirs() -> dict[str, int | None]:
    found: dict[str, int | None] = {}
    for base in {tempfile.gettempdir(), "/tmp", "/var/tmp", "/dev/shm", "/run"}:
        for path in Path(base).glob("contract-[pm][gy]*-*"):
            try:
                record = parse_owner((path / OWNER_FILE).read_text())
            except OSError:
                continue
            found[str(path)] = record["pid"] if record else None
    return found


def server_processes(dirs: list[str]) -> list[int]:
    """Pids of processes whose command line names one of ``dirs``."""
    return [pid for pid, cmdline in processes("cmdline") if any(d.encode() in cmdline for d in dirs)]


def _mine(found: dict[str, int | None], family: set[int]) -> list[str]:
    return sorted(name for name, pid in found.items() if pid in family)


@pytest.fixture
def dsn_args() -> list[str]:
    return ["--postgres-dsn", PG, "--mysql-dsn", "mysql://root@127.0.0.1:3306/", "--provider", "*=dsn"]


#: One contract file: enough contracts for every process to reach its pause (about 50 per engine),
#: a fraction of the whole suite's collection (each of the runs' six processes collected all).
FILES = (f"{CONTRACTS}/test_users.py",)
#: Each process of a run that runs contracts pauses inside its PostgreSQL contract of this rank
#: (tests/stop_server.py), until it is signalled: its servers and databases are up from the start,
#: so one contract run before the pause makes it mid-run (at 12 contracts and two files, the
#: SIGTERM test's four runs cost 15 busy CPU-s; at 2 and one file, 13).
PAUSE_AFTER = 2


class Run:
    """A child pytest run of the postgres and mysql contracts, to be signalled mid-run.

    Each of its contract-running processes (the run itself, or each xdist worker) pauses inside
    a contract once it has run :data:`PAUSE_AFTER` of them, its databases and servers up, until the
    signal comes: a run ready early waits for the others without burning the CPU they need to
    get ready (four runs side by side took 60 s and 75 CPU s on a loaded machine, running
    contracts while they waited; 15 s on a quiet one).  A few examples per contract
    (tests/child_budget.py): under xdist the heavy contracts (the model test) run first, and at
    the ci budget the workers took 40 s to reach their pause."""

    def __init__(self, args: list[str], tmp_path: Path, processes: int) -> None:
        self.output = tmp_path / "output"
        self.processes = processes
        self.pauses = tmp_path / "pauses"
        self.pauses.mkdir()
        self._sink = open(self.output, "w+", encoding="utf-8")  # noqa: SIM115 (closed in finish)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-p", "tests.stop_server",
             "-p", "tests.child_budget", "--engine", "postgres,mysql", *args, *FILES], cwd=ROOT,
            env=child_env(PYTHONUNBUFFERED="1", **pause_env("postgres", PAUSE_AFTER, self.pauses, 150)),
            stdout=self._sink, stderr=subprocess.STDOUT,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.family: set[int] = {self.process.pid}
        self.signalled = False
        #: This run's work directories, as they were when it was signalled.
        self.dirs: set[str] = set()
        #: Its processes (workers, watchdogs) when it was signalled, with their start times.
        self.started: dict[int, str] = {}

    def ready(self, found: dict[str, int | None]) -> bool:
        """Whether it made two databases/work directories (PostgreSQL's, MariaDB's) per process that runs
        contracts, and each such process has run some and paused in the next; ``found``: every
        database and work directory there is (:func:`databases` and :func:`workdirs`)."""
        if paused(self.pauses) < self.processes:
            return False
        self.family |= set(family(self.process.pid))
        return len(_mine(found, self.family)) >= 2 * self.processes

    def signal(self, signum: signal.Signals) -> None:
        assert self.process.poll() is None, "the run ended before the signal:\n" + self.out[-3000:]
        self.family |= set(family(self.process.pid))
        self.dirs |= set(_mine(workdirs(), self.family))
        self.started = _started(self.family)
        self.process.send_signal(signum)
        self.signalled = True

    def finish(self) -> int:
        try:
            return self.process.wait(timeout=120)
        finally:
            self._sink.close()

    @property
    def out(self) -> str:
        return self.output.read_text()


def _wait_until_ready(runs: list[Run]) -> None:
    """Until every run is ready or has ended.  The servers are asked once per round, for all runs, and
    only once some run has paused: each asking opens a connection to both service servers."""
    deadline = time.monotonic() + 180
    waiting = list(runs)
    while waiting and time.monotonic() < deadline:
        someone = any(paused(run.pauses) for run in waiting)
        found = {**databases(), **workdirs()} if someone else {}
        waiting = [run for run in waiting if run.process.poll() is None and not run.ready(found)]
        time.sleep(0.3)


def _signal_mid_run(
    args: list[str], signum: signal.Signals, tmp_path: Path
) -> tuple[set[int], int, str]:
    """Start a serial run, wait until it made its databases/work directories and paused mid-run,
    then send ``signum``."""
    run = Run(args, tmp_path, 1)
    _wait_until_ready([run])
    run.signal(signum)
    code = run.finish()
    return run.family, code, run.out


def _process_stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks since boot) of a process, None when there is none."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], fields[19]


def _started(family: set[int]) -> dict[int, str]:
    """Each running process of ``family`` with its start time, which tells it from a later process
    given the same pid (pids wrap at 32768 here)."""
    return {pid: stat[1] for pid in family if (stat := _process_stat(pid)) is not None}


def _alive(started: dict[int, str]) -> list[int]:
    """Those of ``started`` still running (a zombie has ended: only its exit status is left)."""
    alive = []
    for pid, start in started.items():
        stat = _process_stat(pid)
        if stat is not None and stat[1] == start and stat[0] != "Z":
            alive.append(pid)
    return alive


def _assert_nothing_left(family: set[int], started: dict[int, str], out: str) -> None:
    """Once every process of the runs has ended (their watchdogs too), nothing of theirs is left, and
    nothing can bring a server or database back: no process that knew of it runs any more."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (_alive(started) or _mine(databases(), family)
                                           or _mine(workdirs(), family)):
        time.sleep(0.2)
    assert _alive(started) == [], f"processes of the runs still running: {_alive(started)}\n{out[-3000:]}"
    assert _mine(databases(), family) == [], out[-3000:]
    dirs = _mine(workdirs(), family)
    assert dirs == [], out[-3000:]


@pytest.mark.waits(20)
def test_sigterm_leaves_no_database_server_or_directory(tmp_path: Path, dsn_args: list[str]) -> None:
    """Serial and xdist runs, on DSN servers and on throwaway local ones, side by side: each gets
    SIGTERM mid-run, and once every process of theirs has ended none has a database, server process or
    work directory left."""
    runs: dict[str, Run] = {}
    try:
        for where, extra in (("dsn", dsn_args), ("local", ["--provider", "*=local"])):
            for mode, workers in (("serial", []), ("xdist", ["-n", "2"])):
                scratch = tmp_path / f"{where}-{mode}"
                scratch.mkdir()
                processes = 2 if workers else 1
                runs[f"{where}-{mode}"] = Run([*workers, *extra], scratch, processes)
        _wait_until_ready(list(runs.values()))
        for run in runs.values():
            run.signal(signal.SIGTERM)
        # An impatient runner signals again while the run is ending: that must not cut its cleanup short.
        # A tenth of a second on: an xdist run on DSN servers, the quickest to end, took 0.3-0.5 s (and
        # at 0.5 s the signal could find the harness gone and the default action back: exit -15).
        time.sleep(0.1)
        runs["dsn-xdist"].process.send_signal(signal.SIGTERM)
    finally:
        for run in runs.values():
            if not run.signalled:
                run.process.send_signal(signal.SIGTERM)  # a failed start must not leave the others running
        codes = {name: run.finish() for name, run in runs.items()}
    for name, run in runs.items():
        assert codes[name] in (int(pytest.ExitCode.INTERRUPTED), int(pytest.ExitCode.TESTS_FAILED)), \
            f"{name}:\n{run.out[-3000:]}"
        assert "NOT CERTIFIED" in run.out, f"{name}:\n{run.out[-3000:]}"
        # Each process that ran contracts was ended by the SIGTERM, an xdist worker too: its controller passes
        # the signal on (execnet would interrupt a busy worker only 5 s into its shutdown, with a bare
        # KeyboardInterrupt).
        assert sorted(interruptions(run.pauses).values()) == ["SIGTERM received"] * run.processes, \
            f"{name}: {interruptions(run.pauses)}\n{run.out[-3000:]}"
    family = set().union(*(run.family for run in runs.values()))
    started = {pid: start for run in runs.values() for pid, start in run.started.items()}
    _assert_nothing_left(family, started, "\n".join(f"--- {name}\n{run.out[-1500:]}" for name, run in runs.items()))
    # The servers of these runs' own directories (as they were when signalled), whether or not the
    # directory is gone: other runs on this machine (another checkout's tests) come and go meanwhile.
    assert server_processes(sorted(set().union(*(run.dirs for run in runs.values())))) == []


@pytest.mark.waits(6)
def test_after_sigkill_the_watchdog_stops_servers_and_drops_databases(tmp_path: Path, dsn_args: list[str]) -> None:
    # Postgres from the service (a database of its own), MariaDB as a throwaway local server.
    args = ["--postgres-dsn", PG, "--provider", "postgres=dsn,mysql=local"]
    family, code, _ = _signal_mid_run(args, signal.SIGKILL, tmp_path)
    killed = time.time()
    assert code == -signal.SIGKILL
    deadline = killed + 15
    while time.time() < deadline and (_mine(databases(), family) or _mine(workdirs(), family)):
        time.sleep(0.2)
    assert _mine(databases(), family) == [], "the watchdog left the run's database"
    assert _mine(workdirs(), family) == [], "the watchdog left the run's work directory"


@pytest.mark.waits(4)
def test_a_postgresql_killed_with_its_run_leaves_no_shared_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """The run and its throwaway PostgreSQL both killed outright (the OOM killer): the watchdog's removal of
    the work directory, with the hook the run registered beside it, also removes the System V segment and
    the /dev/shm files a killed postmaster leaves.  In-process, about a CPU-second: the server starts as a
    run starts it, and the watchdog's cleaning runs on what the run sent its watchdog."""
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(watchdog_process.watchdog, "_send", sent.append)
    with ExitStack() as stack:
        server = pg_provisioning.local_server(PostgresEngine(), stack, 60.0, seeds=suite_seeds())
        resource = next(m["add"] for m in sent if "add" in m and m["add"][0] == "workdir")
        assert resource[1] == str(server.workdir)
        postmaster = int((server.workdir / "data" / "postmaster.pid").read_text().split()[0])
        processes, held = family(postmaster), []
        for pid in processes:  # the backends' dynamic segments too, of those still there (one may just end)
            with suppress(OSError):
                held.append(shared_memory(pid))
        os.kill(postmaster, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while any(Path(f"/proc/{pid}").exists() for pid in processes) and time.monotonic() < deadline:
            time.sleep(0.05)
        # What the killed server left (a segment a backend released just before the kill is not left): without
        # the hook, removing its directory keeps these.
        files = sorted({name for one in held for name in one["files"] if os.path.exists(name)})
        segments = sorted({segment for one in held for segment in one["segments"]} & live_segments())
        assert files, held
        assert segments, held
        watchdog_process._clean(tuple(resource))
        stack.pop_all()  # the run is dead: its own cleanup never runs
        assert not server.workdir.exists()
        assert [name for name in files if os.path.exists(name)] == [], files
        assert [segment for segment in segments if segment in live_segments()] == [], segments


@pytest.fixture
def orphans() -> Iterator[dict[str, Any]]:
    """A leftover database and work directory of an ended process, and of a live one (this test's)."""
    ended = subprocess.Popen(["sleep", "60"])
    dead = owner_record(ended.pid)
    ended.kill()
    ended.wait()
    alive = owner_record()
    made: dict[str, Any] = {"dead": dead, "alive": alive, "pg": [], "mysql": [], "dirs": []}
    with psycopg.connect(PG, autocommit=True) as conn:
        for label, record in (("dead", dead), ("alive", alive)):
            name = f"contract_sweep{label}{os.getpid()}"
            conn.execute(f"CREATE DATABASE {name}")
            conn.execute(psycopg.sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                psycopg.sql.Identifier(name), psycopg.sql.Literal(f"{HARNESS_MARK} {json.dumps(record)}")))
            made["pg"].append(name)
    with _mysql() as conn, conn.cursor() as cur:
        for label, record in (("dead", dead), ("alive", alive)):
            name = f"contract_sweep{label}{os.getpid()}"
            cur.execute(f"CREATE DATABASE `{name}`")
            cur.execute(f"CREATE TABLE `{name}`.{MARKER_TABLE} (note VARCHAR(255) NOT NULL, owner TEXT NOT NULL)")
            cur.execute(f"INSERT INTO `{name}`.{MARKER_TABLE} VALUES (%s, %s)", (MARKER_TEXT, json.dumps(record)))
            made["mysql"].append(name)
    for label, record in (("dead", dead), ("alive", alive)):
        path = Path(tempfile.mkdtemp(prefix=f"contract-pg-sweep{label}-"))
        (path / OWNER_FILE).write_text(json.dumps(record))
        made["dirs"].append(path)
    yield made
    with psycopg.connect(PG, autocommit=True) as conn:
        for name in made["pg"]:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
    with _mysql() as conn, conn.cursor() as cur:
        for name in made["mysql"]:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
    for path in made["dirs"]:
        subprocess.run(["rm", "-rf", str(path)], check=False)


@pytest.mark.waits(6)
def test_the_next_run_sweeps_orphans_and_spares_a_live_run(orphans: dict[str, Any], dsn_args: list[str]) -> None:
    # Side by side, as two runs on one machine would be (each sweeps what it finds; which one removes an
    # orphan first does not matter): the two took 3.7-12 s one after the other.
    runs = [subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--engine", "postgres,mysql", *args,
         f"{CONTRACTS}/test_capabilities.py"], cwd=ROOT, env=child_env(), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True) for args in (dsn_args, ["--provider", "*=local"])]
    try:
        outs = [run.communicate(timeout=300)[0] for run in runs]
    finally:
        for run in runs:
            run.kill()
    for run, out in zip(runs, outs, strict=True):
        assert run.returncode == 0, out[-3000:]
        # The header names what this run removed; a concurrent run of this suite may sweep first,
        # so what is checked below is the outcome.
    present = databases()
    dead_pg, alive_pg = orphans["pg"]
    dead_my, alive_my = orphans["mysql"]
    assert f"postgres/{dead_pg}" not in present
    assert f"mysql/{dead_my}" not in present
    assert f"postgres/{alive_pg}" in present, "a live run's database was removed"
    assert f"mysql/{alive_my}" in present, "a live run's database was removed"
    dead_dir, alive_dir = orphans["dirs"]
    assert not dead_dir.exists()
    assert alive_dir.exists(), "a live run's work directory was removed"
