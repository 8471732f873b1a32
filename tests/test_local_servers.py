"""Throwaway local servers start whatever the caller's environment: a TMPDIR the server account
cannot enter, a root PATH without /usr/sbin (no runuser on it), or a port that another process
takes between being picked and being bound."""

from __future__ import annotations

import os
import socket
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from types import ModuleType

import pytest

from adapter_contracts.harness.config import HarnessConfig
from adapter_contracts.harness.engines import load_backend
from adapter_contracts.harness.engines import mysql as mysql_engine
from adapter_contracts.harness.engines import postgres as postgres_engine
from adapter_contracts.harness.engines.mysql import _SERVER_DIRS
from adapter_contracts.harness.engines.postgres import PG_BIN_DIRS
from adapter_contracts.harness.provision.common import find_binary, free_port
from tests.provisioned import provision


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port another process holds: it accepts connections and hangs up at once."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    holder.settimeout(0.05)
    done = threading.Event()

    def hang_up() -> None:
        while not done.is_set():
            try:
                conn, _ = holder.accept()
            except TimeoutError:
                continue
            conn.close()

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    yield int(holder.getsockname()[1])
    done.set()
    thread.join(timeout=5)
    holder.close()


@pytest.fixture
def private_tmpdir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """TMPDIR (for us and for the servers we start) in a directory only root may enter, as under /root."""
    private = tmp_path / "private-tmp"
    private.mkdir(mode=0o700)
    monkeypatch.setenv("TMPDIR", str(private))
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    return private


@pytest.mark.skipif(os.geteuid() != 0, reason="as non-root the servers run as the caller, who can enter its TMPDIR")
@pytest.mark.parametrize(("module", "binary", "dirs"), [
    (postgres_engine, "initdb", PG_BIN_DIRS),
    (mysql_engine, "mariadbd", _SERVER_DIRS),
], ids=["postgres", "mysql"])
def test_local_server_starts_despite_a_private_tmpdir_a_short_path_and_a_stolen_port(
    monkeypatch: pytest.MonkeyPatch, private_tmpdir: Path, taken_port: int,
    module: ModuleType, binary: str, dirs: tuple[str, ...],
) -> None:
    if find_binary(binary, dirs) is None:
        pytest.skip(f"needs a local {binary}")
    monkeypatch.setenv("PATH", "/usr/local/bin:/usr/bin:/bin")
    handed_out: list[int] = []
    ports = iter([taken_port])

    def next_port() -> int:
        handed_out.append(next(ports, None) or free_port())
        return handed_out[-1]

    monkeypatch.setattr(module, "free_port", next_port)
    backend = load_backend(module.__name__.rsplit(".", 1)[1])
    with ExitStack() as stack:
        endpoint = provision(backend, "local", HarnessConfig(startup_timeout=30.0), stack)
        workdir = backend._server.workdir  # type: ignore[attr-defined]
        assert private_tmpdir not in workdir.parents, workdir
        assert handed_out[0] == taken_port
        assert len(handed_out) == 2, handed_out
        assert f":{handed_out[1]}/" in endpoint.dsn
        with backend.make_adapter(endpoint) as adapter:
            assert adapter.get_user("nobody") is None
