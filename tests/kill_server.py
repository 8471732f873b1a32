"""A pytest plugin for tests/test_certificate.py: SIGKILL an engine's server in the middle of a run.

``CONTRACT_TEST_KILL=postgres:40`` kills the server behind ``postgres`` after its 40th
contract; the time of the kill is written to ``CONTRACT_TEST_KILL_STAMP``.  The
server's process id comes from its own pid file, read over the raw connection.  What the
killed server leaves to be cleaned up besides its directory (PostgreSQL's System V segment
and dynamic segments in /dev/shm) is written as JSON to ``CONTRACT_TEST_KILL_STAMP.shm``.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

__all__ = ["live_segments", "shared_memory"]

_seen: dict[str, int] = {}


def _server_pid(engine: str, dsn: str) -> int:
    if engine == "postgres":
        import psycopg

        with psycopg.connect(dsn, autocommit=True) as conn:
            row = conn.execute("SHOW data_directory").fetchone()
        assert row is not None
        return int((Path(str(row[0])) / "postmaster.pid").read_text().split()[0])
    from adapter_contracts.harness.engines.mysql.provisioning import parse_mysql_dsn

    address, database = parse_mysql_dsn(dsn)
    with address.connect(database) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT @@pid_file")
        (pid_file,) = cursor.fetchone()
    return int(Path(str(pid_file)).read_text().split()[0])


def shared_memory(pid: int) -> dict[str, list[str]]:
    """The /dev/shm files and System V segments (their ids: a mapping's inode) the process ``pid`` has
    attached."""
    maps = [line.split() for line in Path(f"/proc/{pid}/maps").read_text().splitlines()]
    files = {field for fields in maps for field in fields[5:] if field.startswith("/dev/shm/")}
    segments = {fields[4] for fields in maps if len(fields) > 5 and fields[5].startswith("/SYSV")}
    return {"files": sorted(files), "segments": sorted(segments)}


def live_segments() -> set[str]:
    """The ids of the System V segments that exist now."""
    return {row.split()[1] for row in Path("/proc/sysvipc/shm").read_text().splitlines()[1:]}


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    engine, _, after = os.environ.get("CONTRACT_TEST_KILL", "").partition(":")
    callspec = getattr(item, "callspec", None)
    if not engine or callspec is None or callspec.params.get("engine") != engine:
        return
    _seen[engine] = _seen.get(engine, 0) + 1
    if _seen[engine] != int(after):
        return
    # Imported here, not at the top: ``-p tests.kill_server`` loads this module before the
    # repository's conftest asks pytest to load (and assert-rewrite) the harness plugin, and an
    # earlier import makes pytest warn that it cannot rewrite it, an error under filterwarnings.
    from adapter_contracts.harness.pytest_harness import engine_session

    session = engine_session(item.config)
    assert session is not None
    pid = _server_pid(engine, session.started[engine].endpoint.dsn)
    Path(os.environ["CONTRACT_TEST_KILL_STAMP"] + ".shm").write_text(json.dumps(shared_memory(pid)))
    os.kill(pid, signal.SIGKILL)
    Path(os.environ["CONTRACT_TEST_KILL_STAMP"]).write_text(str(time.time()))
