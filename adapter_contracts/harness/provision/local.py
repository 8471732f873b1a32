"""The one skeleton every throwaway local server starts through.

Finding the binary, choosing the account it runs as, making its work directory
(swept of ended runs' leftovers first, guarded by the watchdog, marked with an
owner record, removed on every exit path), initialising it, starting it on a
free loopback port (another one when that port was taken meanwhile) and
waiting until it answers: written once here.  Each engine says only what
differs (its binaries, how to initialise, launch, probe and stop its server)
by subclassing :class:`LocalServer`.  With a seeds directory, a data directory
made by one command is copied from the seed of an earlier server of the same
kind instead (:mod:`adapter_contracts.harness.provision.seeds`).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from adapter_contracts.harness.provision.common import (
    PORT_ATTEMPTS,
    ProvisionUnavailable,
    find_binary,
    free_port,
    port_taken,
    run_as,
    server_workdir,
    wait_until,
)
from adapter_contracts.harness.provision.ownership import sweep_workdirs, write_owner_file
from adapter_contracts.harness.provision.seeds import copy_seed, keep_seed, seed_name
from adapter_contracts.harness.provision.watchdog import watchdog

__all__ = ["LocalServer", "LocalServerSpec", "owned_workdir", "spawn", "terminate"]


@dataclass(frozen=True)
class LocalServerSpec:
    """What an engine says about its throwaway local server; plain data, read without any driver."""

    #: Server binaries to look for, best first (the first found is the one run).
    binaries: tuple[str, ...]
    #: Where they may live besides PATH (globs).
    search_dirs: tuple[str, ...]
    #: The work directory's name prefix: how the sweep recognises the engine's leftovers.
    workdir_prefix: str
    #: Who runs the server when we are root (servers refuse root), the first account that exists;
    #: none: it runs as whoever runs the harness.
    accounts: tuple[str, ...]
    #: The server's pid files, relative to the work directory: how the watchdog and the sweep find it.
    pid_files: tuple[str, ...]
    #: The server's log, relative to the work directory: why it did not start.
    log: str

    def not_found(self) -> str:
        return f"no {' or '.join(self.binaries)} on PATH or in {', '.join(self.search_dirs)}"


def owned_workdir(prefix: str, account: str | None, stack: ExitStack, *, pid_files: Sequence[str] = (),
                  base: str | None = None, after_crash: Sequence[str] = ()) -> tuple[Path, list[str]]:
    """A new work directory for the run, and the leftovers of ended runs swept before it was made.

    The directory belongs to ``account`` (when we are root), carries the run's owner
    record, is guarded by the watchdog (removed after a SIGKILL, with ``after_crash``: see
    :meth:`LocalServer.crash_hook`) and is removed when ``stack`` closes.  Only ``prefix``'s
    orphans are swept: another engine's are its own.
    """
    swept = sweep_workdirs(prefix, account)
    workdir = server_workdir(prefix, account, base=base)
    resource = watchdog.guard_workdir(workdir, *after_crash)
    stack.callback(watchdog.removing(lambda: shutil.rmtree(workdir, ignore_errors=True), *resource))
    write_owner_file(workdir, pid_files)
    return workdir, swept


def _account(candidates: Sequence[str]) -> str | None:
    """Who runs a server: nobody special unless we are root, else the first of ``candidates`` that exists."""
    if os.geteuid() != 0 or not candidates:
        return None
    for name in candidates:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise ProvisionUnavailable(f"running as root and there is no {' or '.join(map(repr, candidates))} account "
                               "to run the server")


def spawn(command: Sequence[str], user: str | None, cwd: Path) -> subprocess.Popen[bytes]:
    """Start a server in the background, as ``user`` directly (so its pid is ours to signal), in a
    session of its own (a Ctrl-C to the run's terminal reaches the harness, which stops it)."""
    account = pwd.getpwnam(user) if user is not None and os.geteuid() == 0 else None
    return subprocess.Popen(
        list(command), cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        user=None if account is None else account.pw_uid, group=None if account is None else account.pw_gid,
        extra_groups=None if account is None else [],  # drop root's supplementary groups
        start_new_session=True,
    )


def terminate(process: subprocess.Popen[bytes] | None, grace: float = 20.0) -> None:
    """SIGTERM (a clean shutdown), then SIGKILL after ``grace`` seconds."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _family(pid: int) -> list[int]:
    """A process and its descendants (a postmaster and its backends), read from /proc where there is one."""
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


class LocalServer(ABC):
    """A throwaway server: :meth:`provision` starts it; :meth:`stop` and :meth:`start` restart it
    on the same port and data (the fault contracts' real restart)."""

    #: For messages: "PostgreSQL", "mariadbd", ...
    name: str = "server"

    #: What :meth:`initialiser` makes in the work directory, all of it: what a seed holds.
    data = "data"

    def __init__(self, spec: LocalServerSpec, timeout: float, on_restart: Callable[[], None] = lambda: None,
                 *, seeds: Path | None = None) -> None:
        self.spec = spec
        self.timeout = timeout
        #: Where seeds are kept (``--local-seeds``); None: every server initialises its own.
        self.seeds = seeds
        #: Called after a restart's stop, so that the engine drops its raw connection.
        self.on_restart = on_restart
        self.binary = ""
        self.user: str | None = None
        self.workdir = Path()
        self.port = 0
        #: Leftovers of ended runs removed before this server's work directory was made.
        self.swept: list[str] = []

    # -- what each engine says -------------------------------------------------------

    def locate(self) -> str | None:
        """The server binary to run (the first of the spec's that is found), or None."""
        for name in self.spec.binaries:
            found = find_binary(name, self.spec.search_dirs)
            if found is not None:
                return found
        return None

    @abstractmethod
    def initialiser(self) -> Sequence[str] | None:
        """The command, run as :attr:`user` in :attr:`workdir`, that makes :attr:`data` there from its
        arguments alone (the server's own tool), so that a seed may stand in for it; None when
        :meth:`initialise` is overridden instead."""

    def initialise(self) -> None:
        """Make the data directory in :attr:`workdir`: run :meth:`initialiser`."""
        command = self.initialiser()
        if command is None:
            raise NotImplementedError(f"{type(self).__name__} has no initialiser(): it must override initialise()")
        self._run_initialiser(command)

    def _run_initialiser(self, command: Sequence[str]) -> None:
        done = run_as(self.user, command, cwd=self.workdir, timeout=self.timeout)
        if done.returncode != 0:
            raise ProvisionUnavailable(f"{Path(command[0]).name} failed ({done.returncode}): "
                                       f"{(done.stderr or done.stdout).strip()[-400:]}")

    @abstractmethod
    def launch(self) -> None:
        """Start the server on :attr:`port`; it may return before the server answers."""

    @abstractmethod
    def answers(self) -> bool:
        """Whether the server accepts connections now (an exception counts as "not yet")."""

    @abstractmethod
    def exited(self) -> bool:
        """Whether the server gave up starting (its process ended, its start command failed)."""

    @abstractmethod
    def halt(self, *, final: bool) -> None:
        """Stop the server.  ``final``: the run is over and its data thrown away (no need to be gentle,
        and no error: it may be down already); else a restart's stop, which must succeed."""

    def crash_hook(self) -> tuple[str, ...]:
        """What the watchdog calls, once the server is gone, before it removes the work directory of a
        run that died: ``("module:function", *arguments)``, called as ``function(workdir, *arguments)``,
        for what a server killed outright leaves outside its directory; () when nothing.  Read after
        :meth:`locate`; it travels over the watchdog's pipe, never through the directory."""
        return ()

    # -- the skeleton ----------------------------------------------------------------

    @property
    def log(self) -> Path:
        return self.workdir / self.spec.log

    def log_tail(self, size: int = 500) -> str:
        return self.log.read_text(errors="replace")[-size:].strip() if self.log.exists() else ""

    def provision(self, stack: ExitStack) -> None:
        """Find, initialise and start the server; its stop and its directory's removal go on ``stack``."""
        binary = self.locate()
        if binary is None:
            raise ProvisionUnavailable(self.spec.not_found())
        self.binary = binary
        self.user = _account(self.spec.accounts)
        self.workdir, self.swept = owned_workdir(self.spec.workdir_prefix, self.user, stack,
                                                 pid_files=self.spec.pid_files, after_crash=self.crash_hook())
        try:
            self._initialise_or_seed()
        except subprocess.TimeoutExpired:
            raise ProvisionUnavailable(f"initialising {self.name} took longer than {self.timeout:.0f}s") from None
        stack.callback(self._halt_final)
        for attempt in range(1, PORT_ATTEMPTS + 1):
            # The port was free when picked; another process may take it before the server binds.
            self.port = free_port()
            self.launch()
            if self._wait("local " + self.name):
                return
            tail = self.log_tail()
            if not port_taken(tail) or attempt == PORT_ATTEMPTS:
                raise ProvisionUnavailable(f"{self.name} did not start: {tail}")
            self.halt(final=True)
            self.log.unlink(missing_ok=True)

    def _initialise_or_seed(self) -> None:
        command = self.initialiser()
        if self.seeds is None or command is None:
            self.initialise()
            return
        name = seed_name(self.spec.workdir_prefix, command, self.workdir, self.binary, self.user)
        if not copy_seed(self.seeds, name, self.workdir / self.data, self.timeout):
            self._run_initialiser(command)
            keep_seed(self.seeds, name, self.workdir / self.data, self.timeout)

    def _halt_final(self) -> None:
        """The final stop, of a server that may have been stopped (SIGSTOP, a suspended job): continued
        first, so that its own shutdown runs at once instead of its stop command waiting it out."""
        for name in self.spec.pid_files:
            try:
                pid = int((self.workdir / name).read_text().split()[0])
            except (OSError, ValueError, IndexError):
                continue
            for member in _family(pid):
                with contextlib.suppress(OSError):
                    os.kill(member, signal.SIGCONT)
        self.halt(final=True)

    def _wait(self, what: str) -> bool:
        """True once the server answers, False if it gave up first; ProvisionUnavailable after the timeout."""

        def ready() -> str | None:
            # Returns (rather than raises) on exit: wait_until treats exceptions as "not yet".
            if self.exited():
                return "exited"
            return "ready" if self.answers() else None

        return wait_until(ready, timeout=self.timeout, what=f"{what} on port {self.port}") == "ready"

    def stop(self) -> None:
        self.halt(final=False)
        self.on_restart()

    def start(self) -> None:
        self.launch()
        if not self._wait(f"restarted {self.name}"):
            raise RuntimeError(f"{self.name} did not restart: {self.log_tail(300)}")
