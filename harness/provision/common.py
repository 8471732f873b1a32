"""Small, dependency-free helpers for starting and reaching throwaway servers."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "ProvisionUnavailable",
    "docker_available",
    "find_binary",
    "free_port",
    "redact_dsn",
    "run_as",
    "wait_until",
]

T = TypeVar("T")


class ProvisionUnavailable(Exception):
    """This provider cannot supply the engine here; the message says what was checked."""


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
    """Run a server binary, as ``user`` when we are root (servers refuse to run as root)."""
    command = list(argv)
    if user is not None and os.geteuid() == 0:
        command = ["runuser", "-u", user, "--", *command]
    return subprocess.run(command, check=False, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload,no-any-return]


def redact_dsn(dsn: str) -> str:
    """The DSN with its password masked, safe for headers, ids and logs."""
    with contextlib.suppress(ValueError):
        parts = urlsplit(dsn)
        if parts.password is not None:
            netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
            return urlunsplit(parts._replace(netloc=netloc))
        if "://" in dsn:
            return dsn
    # key=value DSNs (libpq style)
    return " ".join(
        "password=***" if item.lower().startswith("password=") else item for item in dsn.split()
    )
