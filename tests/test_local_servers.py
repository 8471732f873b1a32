"""Throwaway local servers start whatever the caller's environment: a TMPDIR the server account
cannot enter, a root PATH without /usr/sbin (no runuser on it), or a port that another process
takes between being picked and being bound."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from adapter_contracts.harness.config import HarnessConfig
from adapter_contracts.harness.engines import load_engine
from adapter_contracts.harness.engines.mysql import SERVER_DIRS
from adapter_contracts.harness.engines.postgres import PG_BIN_DIRS
from adapter_contracts.harness.provision import local
from adapter_contracts.harness.provision.common import ProvisionUnavailable, find_binary, free_port
from adapter_contracts.harness.provision.ownership import OWNER_FILE, parse_owner
from tests.loopback import serving
from tests.provisioned import provision


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port another process holds: it accepts connections and hangs up at once."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    with serving(holder, lambda conn: conn.close()):
        yield int(holder.getsockname()[1])


@pytest.fixture
def private_tmpdir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """TMPDIR (for us and for the servers we start) in a directory only root may enter, as under /root."""
    private = tmp_path / "private-tmp"
    private.mkdir(mode=0o700)
    monkeypatch.setenv("TMPDIR", str(private))
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    return private


@pytest.mark.skipif(os.geteuid() != 0, reason="as non-root the servers run as the caller, who can enter its TMPDIR")
@pytest.mark.parametrize(("engine_id", "binary", "dirs"), [
    ("postgres", "initdb", PG_BIN_DIRS),
    ("mysql", "mariadbd", SERVER_DIRS),
], ids=["postgres", "mysql"])
def test_local_server_starts_despite_a_private_tmpdir_a_short_path_and_a_stolen_port(
    monkeypatch: pytest.MonkeyPatch, private_tmpdir: Path, taken_port: int,
    engine_id: str, binary: str, dirs: tuple[str, ...],
) -> None:
    if find_binary(binary, dirs) is None:
        pytest.skip(f"needs a local {binary}")
    monkeypatch.setenv("PATH", "/usr/local/bin:/usr/bin:/bin")
    handed_out: list[int] = []
    ports = iter([taken_port])

    def next_port() -> int:
        handed_out.append(next(ports, None) or free_port())
        return handed_out[-1]

    monkeypatch.setattr(local, "free_port", next_port)
    engine = load_engine(engine_id)
    with ExitStack() as stack:
        endpoint = provision(engine, "local", HarnessConfig(startup_timeout=30.0), stack)
        workdir = engine._server.workdir  # type: ignore[attr-defined]
        assert private_tmpdir not in workdir.parents, workdir
        assert handed_out[0] == taken_port
        assert len(handed_out) == 2, handed_out
        assert f":{handed_out[1]}/" in endpoint.dsn
        with engine.make_adapter(endpoint) as adapter:
            assert adapter.get_user("nobody") is None


# -- the one local-server skeleton, with a server of a few lines ------------------------------

#: A "server" that serves its port until terminated, says "Address already in use" when it cannot
#: bind (as PostgreSQL and MariaDB do), and writes its pid file.  SO_REUSEADDR, as those servers set
#: it: without it a restart on the same port failed whenever a connection the server had closed
#: was still in TIME_WAIT (a race, seen once under load); a port another listener holds still refuses.
TINY_SERVER = """
import os, socket, sys, time
workdir, port = sys.argv[1], int(sys.argv[2])
sock = socket.socket()
sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    sock.bind(("127.0.0.1", port))
except OSError as exc:
    open(os.path.join(workdir, "tiny.log"), "a").write(f"bind: {exc}\\n")
    sys.exit(1)
sock.listen()
open(os.path.join(workdir, "tiny.pid"), "w").write(str(os.getpid()))
while True:
    conn, _ = sock.accept()
    conn.close()
"""


class TinyServer(local.LocalServer):
    name = "tiny"

    def __init__(self, timeout: float) -> None:
        spec = local.LocalServerSpec(binaries=("python3",), search_dirs=(), workdir_prefix="contract-tiny-",
                                     accounts=(), pid_files=("tiny.pid",), log="tiny.log")
        super().__init__(spec, timeout)
        self.process: subprocess.Popen[bytes] | None = None
        self.launched: list[int] = []

    def initialiser(self) -> None:
        return None

    def initialise(self) -> None:
        (self.workdir / "initialised").write_text("yes")

    def launch(self) -> None:
        self.launched.append(self.port)
        self.process = local.spawn([self.binary, "-c", TINY_SERVER, str(self.workdir), str(self.port)], self.user,
                                   self.workdir)

    def exited(self) -> bool:
        return self.process is None or self.process.poll() is not None

    def answers(self) -> bool:
        # Its pid file first: whatever holds a stolen port accepts connections too.
        if not (self.workdir / "tiny.pid").exists():
            return False
        with socket.create_connection(("127.0.0.1", self.port), timeout=1):
            return True

    def halt(self, *, final: bool) -> None:
        local.terminate(self.process, grace=5)
        (self.workdir / "tiny.pid").unlink(missing_ok=True)


def test_the_skeleton_guards_marks_retries_a_stolen_port_restarts_and_cleans_up(
    monkeypatch: pytest.MonkeyPatch, taken_port: int,
) -> None:
    sent: list[dict[str, object]] = []
    monkeypatch.setattr(local.watchdog, "_send", sent.append)
    ports = iter([taken_port])
    monkeypatch.setattr(local, "free_port", lambda: next(ports, None) or free_port())
    server = TinyServer(timeout=30.0)
    with ExitStack() as stack:
        server.provision(stack)
        workdir = server.workdir
        assert workdir.name.startswith("contract-tiny-")
        assert (workdir / "initialised").is_file()
        assert sent[0] == {"add": ["workdir", str(workdir)]}  # guarded before anything runs in it
        record = parse_owner((workdir / OWNER_FILE).read_text())
        assert record is not None
        assert record["pid"] == os.getpid()
        assert record["pid_files"] == ["tiny.pid"]
        assert server.launched[0] == taken_port
        assert len(server.launched) == 2, "a stolen port is retried on another"
        assert server.answers()
        server.stop()
        assert server.exited()
        server.start()
        assert server.answers()
        assert server.launched[1:] == [server.port, server.port], "a restart keeps its port"
        running = server.process
    assert running is not None
    assert running.poll() is not None, "the server outlived its stack"
    assert not workdir.exists()
    assert sent[-1] == {"remove": ["workdir", str(workdir)]}


def test_the_skeleton_says_what_it_looked_for() -> None:
    server = TinyServer(timeout=5.0)
    server.spec = local.LocalServerSpec(binaries=("no-such-server", "nor-this"), search_dirs=("/opt/x*/bin",),
                                        workdir_prefix="contract-tiny-", accounts=(), pid_files=(), log="x.log")
    with ExitStack() as stack, pytest.raises(ProvisionUnavailable) as unavailable:
        server.provision(stack)
    assert str(unavailable.value) == "no no-such-server or nor-this on PATH or in /opt/x*/bin"
