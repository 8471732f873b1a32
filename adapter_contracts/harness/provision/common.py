"""Small, dependency-free helpers for starting and reaching throwaway servers."""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlsplit

from adapter_contracts.harness.dsn import url_parts

__all__ = [
    "CLEANUP_TIMEOUT",
    "MARKER_TABLE",
    "MARKER_TEXT",
    "PORT_ATTEMPTS",
    "ProvisionRefused",
    "ProvisionUnavailable",
    "claim_existing_database",
    "describe_target",
    "docker_available",
    "dsn_secrets",
    "find_binary",
    "free_port",
    "port_taken",
    "ram_disk",
    "redact_dsn",
    "redact_key_values",
    "run_as",
    "scrub",
    "server_workdir",
    "wait_until",
]

T = TypeVar("T")

#: The bound of the harness's cleanup (dropping its database) on a server: one that does not answer
#: within it is left to the watchdog's retries, so that an interrupted run ends within seconds.
CLEANUP_TIMEOUT = 5.0


class ProvisionUnavailable(Exception):
    """This provider cannot supply the engine here; the message says what was checked."""


class ProvisionRefused(ProvisionUnavailable):
    """The harness will not use what it was pointed at (storage it does not own).

    Unlike a plain :class:`ProvisionUnavailable` this stops the engine: falling
    back to another provider would hide that the user's DSN was refused.
    """


#: The table/collection whose one row says "initialised by the contract harness".
MARKER_TABLE = "contract_harness_marker"
MARKER_TEXT = "initialised by the adapter-contracts harness; it may empty every table here"


def claim_existing_database(
    database: str,
    tables: Collection[str],
    marker_rows: Sequence[str] | None,
    canonical: Collection[str],
    foreign_keys: Sequence[str],
    allowed: Collection[str],
    flag_hint: str,
) -> bool:
    """Decide whether the harness may use an existing database; True when it must write its marker.

    Ownership is proven, not named: ``tables`` are every table/collection found
    there, ``marker_rows`` the notes in its marker table (None without one),
    ``canonical`` the tables the harness may empty, ``foreign_keys`` the foreign
    keys from anywhere else into those.  The database is used only when it holds
    nothing but canonical tables and a marker holding exactly the harness's own
    row, or nothing at all (then marked), or, named in ``allowed``, canonical
    tables without a marker.  Anything else is refused with nothing written.
    """
    def refuse(why: str) -> ProvisionRefused:
        return ProvisionRefused(
            f"database {database!r} {why}; the harness writes nothing there and wipes nothing. "
            f"Point the DSN at an empty database (or one this harness initialised)."
        )

    if marker_rows is not None and list(marker_rows) != [MARKER_TEXT]:
        raise refuse(f"has a {MARKER_TABLE} table without the harness's own marker row (found "
                     f"{len(marker_rows)} row(s)): a marker the harness did not write proves nothing")
    foreign = sorted(set(tables) - set(canonical) - {MARKER_TABLE})
    if foreign:
        shown = ", ".join(foreign[:12]) + (", ..." if len(foreign) > 12 else "")
        raise refuse(f"holds {len(foreign)} table(s)/collection(s) outside the canonical layout ({shown})")
    if foreign_keys:
        raise refuse(f"has foreign keys into the canonical tables from elsewhere ({', '.join(foreign_keys[:12])}): "
                     "emptying them would cascade into data the harness does not own")
    if marker_rows is not None or not tables:
        return marker_rows is None
    if database in allowed:
        return False
    shown = ", ".join(sorted(tables)[:8]) + (", ..." if len(tables) > 8 else "")
    raise ProvisionRefused(
        f"database {database!r} already holds {len(tables)} table(s)/collection(s) ({shown}) and no "
        f"{MARKER_TABLE} marker: the harness did not initialise it, so it writes nothing there and wipes "
        f"nothing. Point the DSN at an empty database, or pass {flag_hint}={database} "
        f"(env CONTRACT_ALLOW_WIPE) to let the harness empty its tables."
    )


#: Where a throwaway server's directory may go after the temp directory, best first:
#: the first that its user can enter wins (we create the directory there as root).
_WORKDIR_BASES = ("/tmp", "/var/tmp", "/dev/shm", "/run")

#: A memory-backed file system for throwaway servers' data, used first when :func:`ram_disk` allows.
RAM_DISK = "/dev/shm"
#: ...when the machine has this much memory available (a README command's sixteen servers hold about
#: 0.7 GB there: MariaDB 45 MB each with its 16 MB redo log, PostgreSQL 41 MB)...
RAM_DISK_MEMORY = 8 << 30
#: ...and the file system this much room.
RAM_DISK_ROOM = 4 << 30


def _available_memory() -> int:
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


def ram_disk() -> str | None:
    """:data:`RAM_DISK` when throwaway servers should keep their data there, else None.

    Servers on the disk spend their time in the file system: on a 2-core machine whose disk writes cost
    system time, the README command took 100-128 s with them in /tmp and 89-96 s with them in
    /dev/shm (167-181 against 187-242 busy CPU-s; docs/performance.md).  Only when it is a tmpfs
    with :data:`RAM_DISK_ROOM` free, the machine has :data:`RAM_DISK_MEMORY` available, and no
    ``TMPDIR`` says where temporary files go."""
    if os.environ.get("TMPDIR"):
        return None
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8").splitlines()
        room = os.statvfs(RAM_DISK)
    except OSError:
        return None
    if not any(fields[1:3] == [RAM_DISK, "tmpfs"] for fields in map(str.split, mounts)):
        return None
    if room.f_bavail * room.f_frsize < RAM_DISK_ROOM or _available_memory() < RAM_DISK_MEMORY:
        return None
    return RAM_DISK


def _reachable_by(path: Path, account: pwd.struct_passwd, groups: Collection[int]) -> bool:
    """Whether ``account`` (member of ``groups``) may enter ``path`` and every directory above it."""
    for directory in (path, *path.parents):
        try:
            info = directory.stat()
        except OSError:
            return False
        if info.st_uid == account.pw_uid:
            bit = stat.S_IXUSR
        elif info.st_gid in groups:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not info.st_mode & bit:
            return False
    return True


def server_workdir(prefix: str, user: str | None, *, base: str | None = None) -> Path:
    """A new private directory for a throwaway server, owned by ``user`` when given (we are root): on
    :func:`ram_disk` when it allows, else in the temp directory or the first place below.

    The server runs as ``user`` and must reach its directory: a ``TMPDIR`` under
    ``/root`` (or any directory that user cannot enter) would make initdb or
    mariadbd fail with "Permission denied".  So the temp directory is used only
    when that user can reach it, else the first of /tmp, /var/tmp, /dev/shm,
    /run and the user's home directory that it can.  ``base``, when given, is
    tried first (a tmpfs for a server with no account of its own).
    """
    if user is None:
        return Path(tempfile.mkdtemp(prefix=prefix, dir=base or ram_disk()))
    try:
        account = pwd.getpwnam(user)
    except KeyError:
        raise ProvisionUnavailable(f"running as root and there is no {user!r} user to run the server") from None
    groups = {account.pw_gid} | {group.gr_gid for group in grp.getgrall() if user in group.gr_mem}
    tried: list[str] = []
    # Last, the account's home (e.g. /var/lib/postgresql): it can always enter that.
    for where in dict.fromkeys((base or "", ram_disk() or "", tempfile.gettempdir(), *_WORKDIR_BASES,
                                account.pw_dir)):
        if not where:
            continue
        if not os.path.isdir(where) or not _reachable_by(Path(where), account, groups):
            tried.append(where)
            continue
        try:
            workdir = Path(tempfile.mkdtemp(prefix=prefix, dir=where))
        except OSError:  # read-only or full
            tried.append(where)
            continue
        os.chown(workdir, account.pw_uid, account.pw_gid)
        return workdir
    raise ProvisionUnavailable(
        f"no directory the {user!r} user can enter for the server's data (checked {', '.join(tried)}); "
        f"set TMPDIR to a directory that {user!r} can enter"
    )


#: How many free ports a throwaway server tries before giving up (another process may take one first).
PORT_ATTEMPTS = 3


def port_taken(server_log: str) -> bool:
    """Whether a server's log says it lost its port (PostgreSQL and MySQL/MariaDB word it alike)."""
    return "already in use" in server_log


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(probe: Callable[[], T | None], *, timeout: float, what: str, interval: float = 0.02) -> T:
    """Poll ``probe`` until it returns a value that is not None (no fixed sleeps).

    Exceptions from the probe count as "not yet"; the last one is chained into
    the :class:`ProvisionUnavailable` raised after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while True:
        try:
            result = probe()
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready yet"
            last = exc
            result = None
        if result is not None:
            return result
        if time.monotonic() >= deadline:
            raise ProvisionUnavailable(f"{what} not ready after {timeout:.0f}s: {last}") from last
        time.sleep(interval)
        interval = min(interval * 1.5, 0.25)


def docker_available(timeout: float = 1.0) -> str | None:
    """None when a Docker engine answers a ping, else the reason it does not.

    The docker CLI being installed proves nothing: only the engine's API
    answering ``GET /_ping`` does.  Checks ``DOCKER_HOST`` (unix:// or tcp://)
    or the default socket, with a short timeout so a dead engine never hangs.
    """
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    parsed = urlsplit(host)
    try:
        if parsed.scheme == "unix":
            if not Path(parsed.path).exists():
                return f"no Docker socket at {parsed.path}"
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            address: str | tuple[str, int] = parsed.path
        elif parsed.scheme in ("tcp", "http"):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            address = (parsed.hostname or "127.0.0.1", parsed.port or 2375)
        else:
            return f"unsupported DOCKER_HOST scheme {parsed.scheme!r}"
        with sock:
            sock.settimeout(timeout)
            sock.connect(address)
            sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            reply = sock.recv(64)
    except OSError as exc:
        return f"Docker engine at {host} did not answer: {exc}"
    if not reply.startswith(b"HTTP/1.") or b" 200 " not in reply[:16]:
        return f"Docker engine at {host} answered {reply[:32]!r} to a ping"
    return None


def find_binary(name: str, extra_dirs: Sequence[str] = ()) -> str | None:
    """Locate a server binary on PATH or in the given directories."""
    found = shutil.which(name)
    if found:
        return found
    for directory in extra_dirs:
        for candidate in sorted(Path("/").glob(directory.lstrip("/")), reverse=True):
            path = candidate / name
            if path.is_file() and os.access(path, os.X_OK):
                return str(path)
    return None


def run_as(user: str | None, argv: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run a server binary, as ``user`` when we are root (servers refuse to run as root).

    The switch is done by the kernel call (``Popen(user=...)``), not by
    ``runuser``: a root PATH without /usr/sbin (common in CI runners and
    non-login shells) has no ``runuser`` on it.
    """
    if user is None or os.geteuid() != 0:
        return subprocess.run(list(argv), check=False, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload,no-any-return]
    account = pwd.getpwnam(user)
    env = {**os.environ, "HOME": account.pw_dir, "USER": user, "LOGNAME": user}
    return subprocess.run(  # type: ignore[call-overload,no-any-return]
        list(argv), check=False, capture_output=True, text=True, env=env,
        user=account.pw_uid, group=account.pw_gid, extra_groups=[], **kwargs,
    )


#: ``password=value`` in a key=value DSN or a URL query; the value may be single-quoted.
# A quoted value left open runs to the end: libpq refuses it, and all of it may be the password.
_KV_PASSWORD = re.compile(r"(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*(?:'|$)|[^\s&]+)")


def dsn_secrets(dsn: str) -> list[str]:
    """The passwords in a URL or key=value DSN, raw and percent-decoded, longest first, for :func:`scrub`.

    A URL's password is read as :mod:`~adapter_contracts.harness.dsn` reads it (up to the last ``@``), so
    a password holding unencoded ``@ # / ?`` is found whole, not cut at its first such character."""
    found: list[str] = []
    parts = url_parts(dsn)
    if parts is not None and parts.password:
        found += [parts.password, unquote(parts.password)]
    with contextlib.suppress(ValueError):
        split = urlsplit(dsn)
        if "://" in dsn and split.password:
            found += [split.password, unquote(split.password)]
    for match in _KV_PASSWORD.finditer(dsn):
        value = match.group(2)
        if value.startswith("'"):
            inner = value[1:-1] if len(value) > 1 and value.endswith("'") else value[1:]
            found.append(inner)
            value = re.sub(r"\\(.)", r"\1", inner)
        found += [value, unquote(value)]
    return sorted({f for f in found if f}, key=len, reverse=True)


def scrub(text: str, dsns: Iterable[str]) -> str:
    """``text`` with every password of ``dsns`` replaced by ***: for messages built from driver errors."""
    for dsn in dsns:
        for secret in dsn_secrets(dsn):
            text = text.replace(secret, "***")
    return text


def describe_target(dsn: str, database: str) -> str:
    """``host:port/database`` of a URL or key=value DSN, without user or password; else ``database``."""
    host = port = ""
    if "://" in dsn:
        with contextlib.suppress(ValueError):
            parts = urlsplit(dsn)
            host, port = parts.hostname or "", str(parts.port or "")
    else:
        pairs = dict(item.partition("=")[::2] for item in dsn.split() if "=" in item)
        host, port = pairs.get("hostaddr") or pairs.get("host", ""), pairs.get("port", "")
    if not host:
        return database
    return f"{host}{':' + port if port else ''}/{database}"


def redact_dsn(dsn: str) -> str:
    """The DSN with its password masked, whatever characters it holds, safe for headers, ids and logs."""
    parts = url_parts(dsn)
    if parts is not None and parts.password is not None:
        dsn = parts.masked()
    return redact_key_values(dsn)


def redact_key_values(text: str) -> str:
    """``text`` with every ``password=...`` value masked: key=value DSNs (libpq style), ``?password=`` in
    URL queries, and such DSNs quoted in a message."""
    return _KV_PASSWORD.sub(lambda m: m.group(1) + "***", text)
