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
``module:function`` that drops it (``drop(server, name)``), which the watchdog
process imports by that name only when it must act.

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
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

__all__ = ["Watchdog", "watchdog"]


class Watchdog:
    """The harness's side of the pipe.  Every method is safe to call when no watchdog could start."""

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._pid: int | None = None

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

    def guard_workdir(self, workdir: Path) -> None:
        self._send({"add": ["workdir", str(workdir)]})

    def guard_database(self, drop: Callable[[str, str], object], server: str, name: str) -> Callable[[], None]:
        """Have the watchdog drop database ``name`` on ``server`` (a DSN) with ``drop(server, name)`` if the
        run dies; returns the run's own cleanup: drop it, then tell the watchdog it is gone."""
        hook = f"{drop.__module__}:{drop.__qualname__}"
        self._send({"add": ["database", hook, server, name]})
        return self.removing(lambda: drop(server, name), "database", hook, server, name)

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
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)


#: The one watchdog of this process.
watchdog = Watchdog()


# -- the watchdog process ----------------------------------------------------------


def _drop_database(hook: str, server: str, name: str) -> None:
    module, _, function = hook.partition(":")
    getattr(importlib.import_module(module), function)(server, name)


def _remove_container(container_id: str) -> None:
    import docker

    docker.from_env().containers.get(container_id).remove(force=True, v=True)


def _clean(resource: tuple[str, ...]) -> None:
    from adapter_contracts.harness.provision.ownership import stop_workdir_server

    kind, *args = resource
    if kind == "workdir":
        stop_workdir_server(Path(args[0]))
    elif kind == "database":
        _drop_database(*args)
    elif kind == "container":
        _remove_container(args[0])


def main() -> int:
    resources: list[tuple[str, ...]] = []
    for line in sys.stdin.buffer:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get("quit"):
            return 0
        if "add" in message:
            resources.append(tuple(message["add"]))
        elif "remove" in message:
            with contextlib.suppress(ValueError):
                resources.remove(tuple(message["remove"]))
    # The pipe closed without "quit": the harness is gone.  Newest first, as an ExitStack would.
    for resource in reversed(resources):
        with contextlib.suppress(Exception):
            _clean(resource)
    return 0


if __name__ == "__main__":
    sys.exit(main())
