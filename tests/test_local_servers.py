"""Throwaway local servers start whatever the caller's environment: a TMPDIR the server account cannot enter."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from types import ModuleType

import pytest

from harness.config import HarnessConfig
from harness.engines import load_backend
from harness.engines import mysql as mysql_engine
from harness.engines import postgres as postgres_engine
from harness.engines.mysql import _SERVER_DIRS
from harness.engines.postgres import PG_BIN_DIRS
from harness.provision.common import find_binary, free_port

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(os.geteuid() != 0, reason="as non-root the servers run as the caller, who can enter its TMPDIR")
@pytest.mark.skipif(find_binary("initdb", PG_BIN_DIRS) is None or find_binary("mariadbd", _SERVER_DIRS) is None,
                    reason="needs local PostgreSQL and MariaDB binaries")
def test_local_servers_start_with_a_private_tmpdir(tmp_path: Path) -> None:
    private = tmp_path / "private-tmp"
    private.mkdir(mode=0o700)  # as under /root: postgres and mysql cannot enter it
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONTRACT_", "PYTEST_"))}
    env["TMPDIR"] = str(private)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--engine", "postgres,mysql",
         "--provider", "local", "--require-engine", "all", "contracts/test_users.py", "-k", "create"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    engines = out.split("= contract engines =", 1)[-1]
    assert "postgres: PostgreSQL" in engines, out[-3000:]
    assert "via local" in engines.split("mysql:", 1)[-1], out[-3000:]


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port some other process holds (listening)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


@pytest.mark.parametrize(("module", "binary", "dirs"), [
    (postgres_engine, "initdb", PG_BIN_DIRS),
    (mysql_engine, "mariadbd", _SERVER_DIRS),
], ids=["postgres", "mysql"])
def test_local_server_moves_to_another_port_when_its_port_is_taken(
    monkeypatch: pytest.MonkeyPatch, taken_port: int, module: ModuleType, binary: str, dirs: tuple[str, ...]
) -> None:
    """free_port() is free only when asked: a server that loses it to another process tries a new one."""
    if find_binary(binary, dirs) is None:
        pytest.skip(f"needs a local {binary}")
    handed_out: list[int] = []
    ports = iter([taken_port])

    def next_port() -> int:
        handed_out.append(next(ports, None) or free_port())
        return handed_out[-1]

    monkeypatch.setattr(module, "free_port", next_port)
    backend = load_backend(module.__name__.rsplit(".", 1)[1])
    with ExitStack() as stack:
        endpoint = backend.start("local", HarnessConfig(startup_timeout=30.0), stack)
        assert handed_out[0] == taken_port
        assert len(handed_out) == 2, handed_out
        assert str(handed_out[1]) in endpoint.dsn
        with backend.make_adapter(endpoint) as adapter:
            assert adapter.get_user("nobody") is None
