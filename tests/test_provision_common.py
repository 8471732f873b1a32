"""Provisioning helpers: Docker detection never hangs, DSNs are redacted, polling has no fixed sleep."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapter_contracts.harness.provision import common
from adapter_contracts.harness.provision.common import (
    ProvisionUnavailable,
    docker_available,
    free_port,
    redact_dsn,
    server_workdir,
    wait_until,
)
from tests.loopback import serving


@pytest.fixture
def unix_server(tmp_path: Path) -> Iterator[tuple[str, list[bytes]]]:
    """A one-shot unix socket server answering each connection with the next queued reply."""
    path = str(tmp_path / "docker.sock")
    replies: list[bytes] = []
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen()

    def answer(conn: socket.socket) -> None:
        with conn:
            conn.recv(1024)
            if replies:
                conn.sendall(replies.pop(0))

    with serving(server, answer):
        yield path, replies


def test_docker_missing_socket_is_a_reason(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/absent.sock")
    reason = docker_available()
    assert reason is not None
    assert "no Docker socket" in reason


def test_docker_ping_ok(monkeypatch: pytest.MonkeyPatch, unix_server: tuple[str, list[bytes]]) -> None:
    path, replies = unix_server
    replies.append(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nOK")
    monkeypatch.setenv("DOCKER_HOST", f"unix://{path}")
    assert docker_available() is None


def test_docker_socket_that_answers_garbage(monkeypatch: pytest.MonkeyPatch,
                                            unix_server: tuple[str, list[bytes]]) -> None:
    path, replies = unix_server
    replies.append(b"HTTP/1.1 500 Internal Server Error\r\n\r\n")
    monkeypatch.setenv("DOCKER_HOST", f"unix://{path}")
    reason = docker_available()
    assert reason is not None
    assert "500" in reason


def test_docker_silent_socket_times_out_quickly(monkeypatch: pytest.MonkeyPatch,
                                                unix_server: tuple[str, list[bytes]]) -> None:
    path, _ = unix_server  # no reply queued: the server reads and closes without answering
    monkeypatch.setenv("DOCKER_HOST", f"unix://{path}")
    began = time.monotonic()
    assert docker_available(timeout=0.5) is not None
    assert time.monotonic() - began < 5


def test_docker_tcp_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{free_port()}")
    reason = docker_available()
    assert reason is not None
    assert "did not answer" in reason


@pytest.mark.parametrize(
    ("dsn", "expected"),
    [
        ("postgresql://bob:s3cret@db:5432/app", "postgresql://bob:***@db:5432/app"),
        ("mysql://root@127.0.0.1:3306", "mysql://root@127.0.0.1:3306"),
        ("mongodb://u:p%40ss@h/?authSource=admin", "mongodb://u:***@h/?authSource=admin"),
        ("host=db user=bob password=s3cret dbname=app", "host=db user=bob password=*** dbname=app"),
    ],
)
def test_redact_dsn(dsn: str, expected: str) -> None:
    assert redact_dsn(dsn) == expected


def test_wait_until_returns_first_value_and_reports_last_error() -> None:
    calls = iter([None, None, 7])
    assert wait_until(lambda: next(calls), timeout=5, what="probe") == 7

    def failing() -> None:
        raise ConnectionRefusedError("nobody home")

    with pytest.raises(ProvisionUnavailable, match="nobody home"):
        wait_until(failing, timeout=0.1, what="server")


def _service_user() -> str:
    for name in ("postgres", "mysql", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    pytest.skip("no unprivileged account to run a server as")


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands a directory to a server account")
def test_server_workdir_avoids_a_tmpdir_the_server_user_cannot_enter(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    user = _service_user()
    private = tmp_path / "private"
    private.mkdir(mode=0o700)  # like /root: the server account cannot enter it
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    monkeypatch.setenv("TMPDIR", str(private))
    workdir = server_workdir("contract-test-", user)
    try:
        assert private not in workdir.parents, workdir
        assert workdir.stat().st_uid == pwd.getpwnam(user).pw_uid
    finally:
        shutil.rmtree(workdir)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands a directory to a server account")
def test_server_workdir_uses_a_reachable_tmpdir(monkeypatch: pytest.MonkeyPatch) -> None:
    user = _service_user()
    shared = Path(tempfile.mkdtemp(prefix="contract-shared-", dir="/tmp"))
    try:
        shared.chmod(0o1777)  # like /tmp itself
        monkeypatch.setattr(tempfile, "tempdir", str(shared))
        monkeypatch.setenv("TMPDIR", str(shared))
        workdir = server_workdir("contract-test-", user)
        assert workdir.parent == shared
    finally:
        shutil.rmtree(shared)


def test_server_workdir_names_a_missing_account() -> None:
    with pytest.raises(ProvisionUnavailable, match="no 'no-such-account-here' user"):
        server_workdir("contract-test-", "no-such-account-here")


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands a directory to a server account")
def test_server_workdir_falls_back_to_the_accounts_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    user = _service_user()
    home = Path(pwd.getpwnam(user).pw_dir)
    if not home.is_dir():
        pytest.skip(f"{user}'s home {home} does not exist here")
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    monkeypatch.setenv("TMPDIR", str(private))
    monkeypatch.setattr(common, "_WORKDIR_BASES", ())
    workdir = server_workdir("contract-test-", user)
    try:
        assert workdir.parent == home
    finally:
        shutil.rmtree(workdir)


@pytest.fixture
def roomy(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine with memory to spare and no TMPDIR: what ram_disk() needs besides a tmpfs."""
    monkeypatch.delenv("TMPDIR", raising=False)
    monkeypatch.setattr(common, "_available_memory", lambda: 16 << 30)


def _dev_shm_is_a_tmpfs() -> bool:
    return any(line.split()[1:3] == ["/dev/shm", "tmpfs"] for line in Path("/proc/mounts").read_text().splitlines())


@pytest.mark.usefixtures("roomy")
def test_throwaway_servers_keep_their_data_in_memory_when_the_machine_has_room() -> None:
    assert _dev_shm_is_a_tmpfs(), "this test needs /dev/shm as a tmpfs, as Linux mounts it"
    assert common.ram_disk() == "/dev/shm"
    workdir = server_workdir("contract-test-", _service_user() if os.geteuid() == 0 else None)
    try:
        assert workdir.parent == Path("/dev/shm"), workdir
    finally:
        shutil.rmtree(workdir)


@pytest.mark.usefixtures("roomy")
def test_throwaway_servers_stay_on_disk_without_memory_room_or_when_tmpdir_is_set(
        monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(common, "_available_memory", lambda: 2 << 30)  # a small laptop
        assert common.ram_disk() is None
    with monkeypatch.context() as patch:
        patch.setattr(common, "RAM_DISK_ROOM", 1 << 60)  # a tmpfs without room for the servers
        assert common.ram_disk() is None
    with monkeypatch.context() as patch:
        patch.setenv("TMPDIR", "/var/tmp")  # the user says where temporary files go
        assert common.ram_disk() is None
    with monkeypatch.context() as patch:
        patch.setattr(common, "RAM_DISK", "/")  # not a tmpfs
        assert common.ram_disk() is None
