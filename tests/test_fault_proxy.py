"""The fault proxy the fault contracts drive (adapter_contracts/harness/faults.py): closed, it leaves
nothing accepting, so the next test's proxy serves all of its own clients."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from adapter_contracts.harness.faults import FaultProxy
from tests.loopback import serving


@pytest.fixture
def echo_port() -> Iterator[int]:
    """An echo server on a loopback port: what the proxy forwards to."""
    def echo(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            conn.sendall(conn.recv(1024))

    with serving(socket.create_server(("127.0.0.1", 0)), echo) as server:
        yield server.getsockname()[1]


def _echo(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(b"ping")
        return conn.recv(1024)


def test_a_closed_proxy_leaves_no_acceptor_and_nothing_listening(echo_port: int) -> None:
    proxy = FaultProxy("127.0.0.1", echo_port)
    assert _echo(proxy.port) == b"ping"
    assert proxy.stats.links_opened == 1
    proxy.close()
    # Its acceptor ended: it cannot take a later proxy's clients (a ptrace stop restarted its accept()
    # on the descriptor's number, reused by the next proxy's listener).
    assert not proxy._acceptor.is_alive()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", proxy.port), timeout=5).close()


def test_the_next_proxy_serves_its_own_clients(echo_port: int) -> None:
    for _ in range(3):
        proxy = FaultProxy("127.0.0.1", echo_port)
        try:
            assert _echo(proxy.port) == b"ping"
            assert proxy.stats.links_opened == 1
        finally:
            proxy.close()
