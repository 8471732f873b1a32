"""The container provider: one throwaway server per engine target, started through testcontainers.

Every engine's container goes through :func:`start`: it runs the image the
engine chose (the target's, or the engine's default official image), decides
whether testcontainers' Ryuk reaper can run, labels the container with the
harness run, process and host, and guarantees the container is removed on every
exit path, including a failure or an interrupt while it starts.

Ryuk removes a test session's containers when the session's process dies.  It
is an image of its own (``testcontainers/ryuk``); on a machine without a
registry it cannot be pulled, and testcontainers then fails every container
start.  So Ryuk is disabled only when its image is absent locally, and the
harness then removes its containers itself: on the ExitStack of the engine (the
normal end, errors, SIGTERM/SIGHUP, which the plugin turns into
KeyboardInterrupt), at interpreter exit for anything still registered, and
containers left by a process that died without either (SIGKILL) are recognised
by their labels and removed by the next run on the same host.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import socket
import threading
import uuid
import warnings
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, TypeVar

from adapter_contracts.harness.provision.common import ProvisionUnavailable, docker_available
from adapter_contracts.harness.provision.watchdog import watchdog

__all__ = [
    "LABEL_HOST",
    "LABEL_PID",
    "LABEL_RUN",
    "RyukDecision",
    "container_labels",
    "decide_ryuk",
    "import_container_class",
    "leftovers",
    "run_id",
    "shared",
    "start",
]

T = TypeVar("T")

LABEL_RUN = "org.adapter-contracts.run"
LABEL_PID = "org.adapter-contracts.pid"
LABEL_HOST = "org.adapter-contracts.host"

#: One id per harness run: the caller's (CONTRACT_RUN_ID, so that a wrapper such as
#: scripts/container-matrix.sh can remove exactly its run's containers), else the one xdist
#: shares with its workers, else this process's own.
_RUN_ID = os.environ.get("CONTRACT_RUN_ID") or os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex


def run_id() -> str:
    return _RUN_ID


def container_labels() -> dict[str, str]:
    """What identifies a leftover container: the harness run, the process and the host that started it."""
    return {LABEL_RUN: run_id(), LABEL_PID: str(os.getpid()), LABEL_HOST: socket.gethostname()}


@dataclass(frozen=True)
class RyukDecision:
    disabled: bool
    reason: str


def decide_ryuk(user_setting: bool | None, image: str, image_present: bool | None) -> RyukDecision:
    """Whether to run without Ryuk.

    ``user_setting`` is TESTCONTAINERS_RYUK_DISABLED as the user set it (None when unset): the
    user's word wins.  Otherwise Ryuk runs when its image is here (``image_present``), and is
    disabled only when the engine says the image is absent; when the engine could not be asked
    (None), Ryuk is left on and testcontainers reports what goes wrong.
    """
    if user_setting is not None:
        return RyukDecision(user_setting, f"TESTCONTAINERS_RYUK_DISABLED={'true' if user_setting else 'false'}")
    if image_present is False:
        return RyukDecision(True, f"Ryuk image {image} is not on this Docker engine (no registry to pull "
                                  "it from): the harness removes its containers itself")
    return RyukDecision(False, f"Ryuk ({image}) reaps the containers")


def _user_ryuk_setting() -> bool | None:
    value = os.environ.get("TESTCONTAINERS_RYUK_DISABLED")
    if value is None or not value.strip():
        return None
    return value.strip().lower() in ("1", "true", "yes", "on")


_lock = threading.Lock()
_decision: RyukDecision | None = None
#: Containers this process started and has not removed yet (for the interpreter-exit net).
_live: dict[int, Any] = {}


def _docker() -> Any:
    import docker

    return docker.from_env()


def _ryuk() -> RyukDecision:
    """Decide once per process and tell testcontainers; later calls return the same decision.

    An engine that cannot be asked decides nothing (and is asked again next time): the
    container start that follows reports the real problem.
    """
    global _decision
    with _lock:
        if _decision is not None:
            return _decision
        from testcontainers.core.config import testcontainers_config

        image = str(testcontainers_config.ryuk_image)
        present: bool | None
        client: Any = None
        try:
            # The harness's own ping first: docker-py leaves a socket open when no engine answers.
            if docker_available() is not None:
                raise ConnectionError("no Docker engine answers")
            client = _docker()
            client.images.get(image)
            present = True
        except Exception as exc:  # noqa: BLE001 - docker.errors.ImageNotFound, or an engine that cannot say
            present = False if type(exc).__name__ == "ImageNotFound" else None
        try:
            decision = decide_ryuk(_user_ryuk_setting(), image, present)
            if present is None and _user_ryuk_setting() is None:
                return decision
            _decision = decision
            testcontainers_config.ryuk_disabled = decision.disabled
            if decision.disabled and client is not None:
                _remove_leftovers(client)
            return decision
        finally:
            if client is not None:
                with contextlib.suppress(Exception):
                    client.close()


def leftovers(containers: Iterable[Any], host: str, alive: Callable[[int], bool]) -> list[Any]:
    """The harness's containers on ``host`` whose process is gone (it died without cleaning up)."""
    found = []
    for container in containers:
        labels = container.labels or {}
        if labels.get(LABEL_HOST) != host:
            continue  # another machine's: its own harness removes it
        try:
            pid = int(labels.get(LABEL_PID, ""))
        except ValueError:
            continue
        if not alive(pid):
            found.append(container)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_leftovers(client: Any) -> None:
    with contextlib.suppress(Exception):
        running = client.containers.list(all=True, filters={"label": LABEL_RUN})
        for container in leftovers(running, socket.gethostname(), _alive):
            with contextlib.suppress(Exception):
                container.remove(force=True, v=True)


def _remove(container: Any) -> None:
    """Remove the container (and its anonymous volumes); a container already gone is fine."""
    _live.pop(id(container), None)
    with contextlib.suppress(Exception):
        container.stop()


@atexit.register
def _remove_all() -> None:
    # The last net: an engine whose ExitStack never closed (an exit path pytest did not unwind).
    for container in list(_live.values()):
        _remove(container)


def import_container_class(module: str, name: str) -> Any:
    """``testcontainers.community.<module>.<name>``, or the top-level module of older 4.x releases
    (a deprecated alias in later ones, hence the silenced DeprecationWarning)."""
    try:
        return getattr(importlib.import_module(f"testcontainers.community.{module}"), name)
    except ImportError:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                return getattr(importlib.import_module(f"testcontainers.{module}"), name)
        except ImportError as exc:
            raise ProvisionUnavailable(f"testcontainers[{module}] not importable: {exc}") from None


def start(image: str, make: Callable[[str], Any], stack: ExitStack, *, data_dir: str,
          host_network: bool = False) -> Any:
    """Start ``make(image)`` (a testcontainers container, not yet started) and push its removal on ``stack``.

    ``data_dir`` is where the image keeps its data: a tmpfs there, since the data is
    thrown away with the container and overlay2 writes would only slow every commit
    down.  ``host_network``: run it on the host's network (``make`` then has the
    server listen on a loopback port of its own; nothing is published).  Returns the
    started container.  Any failure to start is a :class:`ProvisionUnavailable` naming
    the image; the container is removed before that is raised, and before an
    interrupt propagates.
    """
    decision = _ryuk()
    container: Any = None
    try:
        container = make(image)  # the constructor already talks to Docker
        # with_kwargs() replaces what was set before (e.g. an emulated platform): keep that.
        kwargs = {**(getattr(container, "_kwargs", None) or {}), "labels": container_labels()}
        if host_network:
            kwargs["network_mode"] = "host"
            # The module classes expose their server's port in __init__; docker-py refuses any
            # port binding on the host's network, and there is nothing to publish there.
            container.ports = {}
        container.with_kwargs(**kwargs)
        if hasattr(container, "with_tmpfs_mount"):  # testcontainers >= 4.10
            container.with_tmpfs_mount(data_dir)
        _live[id(container)] = container
        container.start()
    except Exception as exc:  # noqa: BLE001 - docker errors have no common base; report, don't crash
        if container is not None:
            _remove(container)
        hint = f" ({decision.reason})" if "ryuk" in str(exc).lower() else ""
        raise ProvisionUnavailable(f"container {image} did not start: {type(exc).__name__}: {exc}{hint}") from None
    except BaseException:
        if container is not None:
            _remove(container)
        raise
    # After a SIGKILL the run's watchdog removes it (Ryuk may not be there to).
    wrapped = getattr(container, "get_wrapped_container", None)
    container_id = str(getattr(wrapped() if callable(wrapped) else None, "id", "") or "")
    if container_id:
        watchdog.guard_container(container_id)
    stack.callback(watchdog.removing(lambda: _remove(container), "container", container_id))
    return container


@dataclass
class _Shared:
    value: Any
    stack: ExitStack
    users: int = 0


#: Servers of this process that engines share (see :func:`shared`), by key.
_shared: dict[str, _Shared] = {}
#: Not ``_lock``: a first start holds this one and takes that one (the Ryuk decision).
_shared_lock = threading.Lock()


def shared(key: str, stack: ExitStack, start_one: Callable[[ExitStack], T]) -> tuple[T, int]:
    """One server per ``key`` in this process, started by the first engine that asks for it.

    ``start_one(own)`` starts it (pushing its removal on ``own``) and returns what its users
    need to reach it.  Returns that, and how many engines took it before this one, so
    that each gives itself a database of its own on it.  An engine and its async twin
    on one image share a container this way (the matrix ran ten containers per worker
    for five images, each started and initialised twice).  The server is removed when
    the last sharer's ``stack`` closes, whatever order the stacks close in.
    """
    with _shared_lock:
        entry = _shared.get(key)
        if entry is None:
            own = ExitStack()
            try:
                value = start_one(own)
            except BaseException:
                own.close()
                raise
            entry = _shared[key] = _Shared(value, own)
        taken = entry.users
        entry.users += 1

    def release() -> None:
        with _shared_lock:
            entry.users -= 1
            last = entry.users == 0
            if last:
                _shared.pop(key, None)
        if last:
            entry.stack.close()

    stack.callback(release)
    return entry.value, taken
