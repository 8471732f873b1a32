"""What a run owns, proven rather than named: owner records, the orphan test, and sweeping leftovers.

Every database and work directory a run creates carries an owner record: the
machine (host name and ``/etc/machine-id``), the process id and that process's
start time.  A leftover is *orphaned* only when its record names this machine
and a process that no longer exists (same pid with another start time is
another process).  Anything else -- another machine's, a live concurrent
run's, one without a readable record -- is never touched.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "OWNER_FILE",
    "is_orphan",
    "owner_record",
    "parse_owner",
    "stop_workdir_server",
    "sweep_workdirs",
    "write_owner_file",
]

#: The owner record inside a throwaway server's work directory; it also names the server's pid
#: files, so that stopping a leftover server needs nothing of its engine.
OWNER_FILE = "contract-owner.json"
#: Where server_workdir may create work directories (besides the server account's home).
_BASES = ("/tmp", "/var/tmp", "/dev/shm", "/run")


def _machine() -> str:
    with contextlib.suppress(OSError):
        return Path("/etc/machine-id").read_text(encoding="ascii").strip()
    return ""


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot, or None when there is no such process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its closing one.
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def owner_record(pid: int | None = None) -> dict[str, Any]:
    """The record naming this process (or ``pid``) on this machine."""
    pid = os.getpid() if pid is None else pid
    return {"host": socket.gethostname(), "machine": _machine(), "pid": pid, "start": _start_time(pid),
            "created": time.time()}


def parse_owner(text: str | None) -> dict[str, Any] | None:
    """An owner record from its JSON text, or None when it is not one."""
    if not text:
        return None
    try:
        record = json.loads(text)
    except ValueError:
        return None
    if not isinstance(record, dict) or not isinstance(record.get("pid"), int):
        return None
    return record


def is_orphan(record: Mapping[str, Any] | None) -> bool:
    """Whether ``record`` provably names a process of this machine that has ended."""
    if record is None or record.get("host") != socket.gethostname() or record.get("machine") != _machine():
        return False
    pid = record.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    started = _start_time(pid)
    return started is None or (record.get("start") is not None and started != record.get("start"))


def write_owner_file(workdir: Path, pid_files: Sequence[str] = ()) -> None:
    """The run's owner record in ``workdir``, with the server's pid files (relative to ``workdir``)."""
    record = {**owner_record(), "pid_files": list(pid_files)}
    (workdir / OWNER_FILE).write_text(json.dumps(record), encoding="utf-8")


def _pid_files(workdir: Path) -> list[str]:
    try:
        record = parse_owner((workdir / OWNER_FILE).read_text(encoding="utf-8"))
    except OSError:
        return []
    files = record.get("pid_files") if record else None
    # Relative names inside the directory only: the record is read from a directory anyone may have made.
    return [f for f in files if isinstance(f, str) and not f.startswith("/") and ".." not in f.split("/")] \
        if isinstance(files, list) else []


def _server_pids(workdir: Path) -> Iterator[int]:
    """Pids from the pid files the owner record names whose command line names the work directory.

    The command line check is the proof: a pid file outlives its server, and the
    kernel may have given that pid to an unrelated process since.
    """
    for relative in _pid_files(workdir):
        try:
            pid = int((workdir / relative).read_text(encoding="ascii").split()[0])
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if str(workdir).encode() in cmdline:
            yield pid


def stop_workdir_server(workdir: Path, *, grace: float = 5.0,
                        after_crash: Callable[[Path], object] | None = None) -> None:
    """Stop the throwaway server running from ``workdir`` (if any), then remove the directory.

    ``after_crash`` (the engine's hook, which the watchdog got from the harness, never from the
    directory) is called with ``workdir`` once the server is gone, for what a server killed outright
    left outside the directory; best effort, since the directory goes anyway.
    """
    for pid in _server_pids(workdir):
        with contextlib.suppress(OSError):
            # SIGQUIT is PostgreSQL's immediate shutdown and ends its children with it; MariaDB
            # and MySQL ignore it, so SIGKILL follows.  The data is throwaway either way.
            os.kill(pid, signal.SIGQUIT)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and _start_time(pid) is not None:
            time.sleep(0.05)
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, os.WNOHANG)  # reap it when it is our own child
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    if after_crash is not None:
        with contextlib.suppress(Exception):
            after_crash(workdir)
    shutil.rmtree(workdir, ignore_errors=True)


def _candidate_bases(account: str | None) -> list[Path]:
    homes = []
    if account is not None:
        with contextlib.suppress(KeyError):
            homes = [pwd.getpwnam(account).pw_dir]
    return [Path(b) for b in dict.fromkeys((tempfile.gettempdir(), *_BASES, *homes)) if b and os.path.isdir(b)]


def sweep_workdirs(prefix: str, account: str | None = None) -> list[str]:
    """Stop and remove the orphaned work directories named ``prefix``* of this machine (in the places
    server_workdir uses, ``account``'s home among them); returns what was removed."""
    removed = []
    for base in _candidate_bases(account):
        try:
            entries = list(base.iterdir())
        except OSError:
            continue
        for path in entries:
            if not path.name.startswith(prefix) or not path.is_dir():
                continue
            try:
                record = parse_owner((path / OWNER_FILE).read_text(encoding="utf-8"))
            except OSError:
                continue  # no record (an older run's, or not ours): never touched
            if is_orphan(record):
                stop_workdir_server(path)
                removed.append(str(path))
    return removed
