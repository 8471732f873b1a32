"""A process that cleans up after the harness when the harness cannot: after SIGKILL.

The harness cleans up itself on every ending it sees (normal exit, SIGINT,
SIGTERM, SIGHUP).  SIGKILL it cannot see, so each pytest process that starts
servers or creates databases also starts one watchdog, in its own session (a
signal to the run's process group does not reach it), and tells it over a pipe
what it made.  When the pipe closes without a final ``quit`` -- the harness
died -- the watchdog stops the servers, removes the work directories, drops
the databases and removes the containers it was told about, then exits.  The
DSNs travel over the pipe, never on a command line.

The watchdog knows no engine: a database comes with its engine's hook, the
``module:function`` that drops it (``drop(server, name)``), and a work directory
may come with one for what its server, killed outright, left outside it
(PostgreSQL's shared memory); the watchdog process imports each by that name
only when it must act.

    python -m adapter_contracts.harness.provision.watchdog      # reads JSON lines on stdin
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from adapter_contracts.harness.provision.common import CLEANUP_TIMEOUT, describe_target

__all__ = ["DEFER_SECONDS", "RETRY_WINDOW", "CleanupIncomplete", "Watchdog", "watchdog"]

#: Seconds the watchdog keeps retrying what it could not remove (a server that stopped answering
#: may come back): an ephemeral CI runner never runs the harness again to sweep it.
RETRY_WINDOW = float(os.environ.get("CONTRACT_WATCHDOG_WINDOW") or 300)
#: How long the watchdog waits before dropping what a struggling server holds (see Watchdog.defer).
DEFER_SECONDS = float(os.environ.get("CONTRACT_WATCHDOG_DEFER") or 60)
#: The longest pause between two attempts.
_MAX_PAUSE = 10.0


class CleanupIncomplete(Exception):
    """Something the run made could not be removed; the message names it and how to remove it."""


class Watchdog:
    """The harness's side of the pipe.  Every method is safe to call when no watchdog could start."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._pid: int | None = None
        #: Why the databases' drops are left to the watchdog, later (see :meth:`defer`).
        self._deferred: str | None = None

    def _pipe(self) -> IO[bytes] | None:
        if self._process is not None and self._pid != os.getpid():
            self._process = None  # a forked child must not share its parent's watchdog
        if self._process is None:
            try:
                self._process = subprocess.Popen(
                    [sys.executable, "-m", "adapter_contracts.harness.provision.watchdog"], stdin=subprocess.PIPE,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                    cwd="/", env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
                )
            except OSError:
                return None
            self._pid = os.getpid()
        return self._process.stdin

    def _send(self, message: dict[str, Any]) -> None:
        with self._lock:
            pipe = self._pipe()
            if pipe is None:
                return
            with contextlib.suppress(OSError, ValueError):
                pipe.write(json.dumps(message).encode() + b"\n")
                pipe.flush()

    def guard_workdir(self, workdir: Path, *after_crash: str) -> tuple[str, ...]:
        """Have the watchdog stop the server of ``workdir`` and remove it if the run dies; ``after_crash``:
        the engine's hook for what a killed server leaves outside it (``LocalServer.crash_hook``).
        Returns the resource as registered, for :meth:`removing`."""
        resource = ("workdir", str(workdir), *after_crash)
        self._send({"add": list(resource)})
        return resource

    def guard_database(self, drop: Callable[[str, str, float], object], server: str, name: str, *,
                       server_timeout: float) -> Callable[[], None]:
        """Have the watchdog drop database ``name`` on ``server`` (a DSN) with ``drop(server, name)`` if the
        run dies; returns the run's own cleanup: drop it, then tell the watchdog it is gone.  When the
        drop fails (a server that stopped answering), the error names the database, where it is, that
        the watchdog keeps trying, and the statement that removes it.

        The run's own drop waits :data:`CLEANUP_TIMEOUT` at most, or the run's ``server_timeout``
        (``--server-timeout``) when that is smaller, since the option bounds every wait on a server (a
        run at ``--server-timeout 2`` on a server that stopped answering waited 5 s more to give up its
        DROP).  The watchdog's retries keep :data:`CLEANUP_TIMEOUT`: they outlive the run's options."""
        timeout = min(CLEANUP_TIMEOUT, server_timeout)
        hook = f"{drop.__module__}:{drop.__qualname__}"
        self._send({"add": ["database", hook, server, name]})

        def remove() -> None:
            where = describe_target(server, "").rstrip("/") or "its server"
            if self._deferred is not None:
                raise CleanupIncomplete(
                    f"database {name} on {where} left for now ({self._deferred}): dropping it would make the "
                    f"server's trouble worse; the watchdog drops it in {DEFER_SECONDS:g} s, retrying for "
                    f"{RETRY_WINDOW / 60:g} min, else remove it with: DROP DATABASE {name}")
            try:
                drop(server, name, timeout)
            except Exception as exc:  # noqa: BLE001 - named in one line; the watchdog retries
                raise CleanupIncomplete(
                    f"database {name} on {where} not dropped ({type(exc).__name__}); the watchdog retries for "
                    f"{RETRY_WINDOW / 60:g} min, else remove it with: DROP DATABASE {name}") from None

        return self.removing(remove, "database", hook, server, name)

    def defer(self, reason: str) -> None:
        """A server of this run is struggling (its disk is full): its databases are not dropped now, when
        the DROP's checkpoint could take it down, but by the watchdog, :data:`DEFER_SECONDS` later."""
        self._deferred = reason
        self._send({"defer": DEFER_SECONDS})

    def guard_container(self, container_id: str) -> None:
        self._send({"add": ["container", container_id]})

    def release(self, *resource: str) -> None:
        """The harness removed it itself."""
        self._send({"remove": list(resource)})

    def removing(self, remove: Callable[[], object], *resource: str) -> Callable[[], None]:
        """``remove``, then release ``resource`` -- only when the removal succeeded."""
        def run() -> None:
            remove()
            self.release(*resource)
        return run

    def stop(self, *, clean: bool = True) -> None:
        """The run ended.  ``clean``: it removed everything, the watchdog exits without acting;
        else the watchdog retries what is still registered (released resources are not)."""
        with self._lock:
            process, self._process = self._process, None
        if process is None or process.stdin is None:
            return
        with contextlib.suppress(OSError, ValueError):
            if clean:
                process.stdin.write(b'{"quit": true}\n')
            process.stdin.close()
        # Not clean: it hands its retries to a child of its own and exits, so the run need not wait.
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)


#: The one watchdog of this process.
watchdog = Watchdog()


# -- the watchdog process ----------------------------------------------------------


def _hook(name: str) -> Callable[..., object]:
    """The engine's function named ``module:function``, imported only now."""
    module, _, function = name.partition(":")
    return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]


def _drop_database(hook: str, server: str, name: str) -> None:
    _hook(hook)(server, name)


def _remove_container(container_id: str) -> None:
    import docker

    docker.from_env().containers.get(container_id).remove(force=True, v=True)


def _clean(resource: tuple[str, ...]) -> None:
    from adapter_contracts.harness.provision.ownership import stop_workdir_server

    kind, *args = resource
    if kind == "workdir":
        workdir, *after_crash = args
        stop_workdir_server(Path(workdir), after_crash=(
            (lambda path: _hook(after_crash[0])(path, *after_crash[1:])) if after_crash else None))
    elif kind == "database":
        _drop_database(*args)
    elif kind == "container":
        _remove_container(args[0])


def main() -> int:
    resources: list[tuple[str, ...]] = []
    delay = 0.0
    for line in sys.stdin.buffer:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get("quit"):
            return 0
        if "defer" in message:
            delay = float(message["defer"])
        if "add" in message:
            resources.append(tuple(message["add"]))
        elif "remove" in message:
            with contextlib.suppress(ValueError):
                resources.remove(tuple(message["remove"]))
    # The pipe closed without "quit": the harness is gone.  Newest first, as an ExitStack would;
    # what fails (a server that stopped answering) is retried with backoff for RETRY_WINDOW seconds.
    left = list(reversed(resources))
    if left and hasattr(os, "fork") and os.fork() != 0:
        return 0  # the retries go on in the child, which nobody waits for
    time.sleep(delay)
    deadline = time.monotonic() + RETRY_WINDOW
    pause = 0.5
    while left:
        still = []
        for resource in left:
            try:
                _clean(resource)
            except Exception:  # noqa: BLE001 - retried; nothing to print to (its stderr is closed)
                still.append(resource)
        left = still
        if not left or time.monotonic() + pause > deadline:
            break
        time.sleep(pause)
        pause = min(pause * 2, _MAX_PAUSE)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
