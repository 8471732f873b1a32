"""Throwaway servers for the fault tests: started here, stopped (SIGSTOP) or restarted at will, and
reached by the child run under test through ``--<engine>-dsn``, as a shared server would be.

The service servers (PostgreSQL on 5432, MariaDB on 3306) are never stopped: every fault is put on a
server of the test's own, started through the harness's local provider.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from adapter_contracts.harness.engines.mysql import MySQLEngine
from adapter_contracts.harness.engines.mysql import provisioning as mysql_provisioning
from adapter_contracts.harness.engines.postgres import PostgresEngine
from adapter_contracts.harness.engines.postgres import provisioning as pg_provisioning
from adapter_contracts.harness.provision.local import LocalServer
from tests.suite_seeds import suite_seeds

__all__ = ["Throwaway", "family", "processes", "throwaway"]


def processes(part: str) -> Iterator[tuple[int, bytes]]:
    """Each running process's pid with its ``/proc/<pid>/<part>`` (``cmdline``, ``environ``), those that end
    meanwhile or are not ours to read left out."""
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                yield int(proc.name), (proc / part).read_bytes()
            except OSError:
                continue


def family(pid: int) -> list[int]:
    """The process and its descendants (a postmaster and its backends)."""
    found, frontier = [pid], [pid]
    while frontier:
        current = frontier.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            if child not in found:
                found.append(child)
                frontier.append(child)
    return found


@dataclass
class Throwaway:
    """A running throwaway server: its DSN, the file holding its main process id, its work directory."""

    engine: str
    dsn: str
    pid_file: Path
    workdir: Path
    #: Restarts the server on its port and data (the harness's own restart of its throwaway servers).
    restart: Callable[[], None] = lambda: None

    def pid(self) -> int:
        return int(self.pid_file.read_text().split()[0])

    def signal_all(self, signum: int) -> list[int]:
        pids = family(self.pid())
        for pid in pids:
            with suppress(ProcessLookupError):
                os.kill(pid, signum)
        return pids


def _restarter(local: LocalServer) -> Callable[[], None]:
    def restart() -> None:
        local.stop()
        local.start()

    return restart


@contextmanager
def throwaway(engine: str, timeout: float = 60.0) -> Iterator[Throwaway]:
    """A throwaway PostgreSQL or MariaDB/MySQL server, removed on exit (continued first if stopped)."""
    with ExitStack() as stack:
        if engine == "postgres":
            pg = pg_provisioning.local_server(PostgresEngine(), stack, timeout, seeds=suite_seeds())
            server = Throwaway(engine, pg.server_dsn, pg.workdir / "data" / "postmaster.pid", pg.workdir,
                               _restarter(pg))
        else:
            my = mysql_provisioning.local_server(MySQLEngine(), stack, timeout, seeds=suite_seeds())
            address = my.address
            server = Throwaway(engine, f"mysql://{address.user}@{address.host}:{address.port}/",
                               my.workdir / "mysqld.pid", my.workdir, _restarter(my))
        try:
            yield server
        finally:
            if server.pid_file.exists():
                server.signal_all(signal.SIGCONT)
