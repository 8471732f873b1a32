"""Fault injection for the real engines: a loopback TCP proxy that can cut links.

The adapter under test connects through the proxy; the harness keeps its own
direct connection for resets and raw reads.  ``cut_after(n)`` lets the next n
client->server writes through and then severs every live link, which lands a
disconnect in the middle of a multi-statement operation such as a cascade.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from adapter_contracts.harness.contract_marks import marked_contract_files

if TYPE_CHECKING:
    from adapter_contracts.adapters.base import Adapter
    from adapter_contracts.harness.engines.base import Endpoint

__all__ = ["FAULTS_MARKER", "FaultInjector", "FaultProxy", "FaultStats", "ProxyOutage", "ServerControl",
           "fault_contract_files"]

#: Seconds close() waits for the acceptor to end (it may be connecting a client upstream, within that
#: connection's own bound of 5 s), and the longest the acceptor waits before it looks again.
_ACCEPTOR_JOIN_SECONDS = 10.0


@dataclass
class FaultStats:
    links_opened: int = 0
    links_cut: int = 0
    cuts: int = 0


@dataclass
class _Link:
    client: socket.socket
    upstream: socket.socket
    closed: threading.Event = field(default_factory=threading.Event)

    def close(self) -> None:
        self.closed.set()
        for sock in (self.client, self.upstream):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()


class FaultProxy:
    """Forward 127.0.0.1:<port> to ``target``; cut links on demand."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.stats = FaultStats()
        self._lock = threading.Lock()
        self._links: list[_Link] = []
        self._budget: int | None = None  # client->server writes left before a cut
        self._refusing = False
        self._count_replies = False
        #: Seconds each server->client chunk is held back (a slow link: the async contracts' loop-lag probe).
        self.latency = 0.0
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.setblocking(False)  # the acceptor waits in select(), where close() can wake it
        self.port: int = self._listener.getsockname()[1]
        self._stopped = threading.Event()
        self._wake, self._waker = socket.socketpair()
        self._acceptor = threading.Thread(target=self._accept, name="fault-proxy-accept", daemon=True)
        self._acceptor.start()

    # -- control -------------------------------------------------------------

    def cut(self) -> int:
        """Sever every live link now; returns how many were cut."""
        with self._lock:
            links, self._links = self._links, []
            self._budget = None
            self.stats.cuts += 1
        for link in links:
            link.close()
        self.stats.links_cut += len(links)
        return len(links)

    def cut_after(self, writes: int, *, replies: bool = False) -> None:
        """Let ``writes`` more client->server chunks through, then cut every link.

        With ``replies`` the server->client chunks are counted instead: the cut
        then drops a reply, so the server may have committed what the client
        sees fail.
        """
        with self._lock:
            self._budget = writes
            self._count_replies = replies

    def disarm(self) -> bool:
        """Cancel a pending :meth:`cut_after`; True if it had not fired yet."""
        with self._lock:
            pending, self._budget = self._budget is not None, None
        return pending

    def refuse(self, refusing: bool = True) -> None:
        """While refusing, every new link is closed at once, as by a server that is down."""
        with self._lock:
            self._refusing = refusing

    def close(self) -> None:
        """Stop accepting, wait (bounded) for the acceptor to end, and cut every link.

        The acceptor ends before the listener is closed.  Closed under a thread blocked in accept(),
        the socket stayed listening and the thread alive, one of each leaked per fault contract, and a
        ptrace stop (py-spy, gdb) restarted that accept() on the descriptor's number, by then the next
        proxy's listener, whose clients it then served uncut (a cut contract failed on a correct
        adapter: "0 faults injected")."""
        self._stopped.set()
        with contextlib.suppress(OSError):
            self._waker.send(b"x")
        self._acceptor.join(_ACCEPTOR_JOIN_SECONDS)
        for sock in (self._listener, self._wake, self._waker):
            with contextlib.suppress(OSError):
                sock.close()
        self.cut()

    # -- plumbing ------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                readable, _, _ = select.select([self._listener, self._wake], [], [], _ACCEPTOR_JOIN_SECONDS)
                if self._stopped.is_set():
                    return
                if self._listener not in readable:
                    continue
                client, _ = self._listener.accept()
            except BlockingIOError:  # the client gave up between select() and accept()
                continue
            except (OSError, ValueError):
                return
            client.setblocking(True)
            with self._lock:
                refusing = self._refusing
            if refusing:
                with contextlib.suppress(OSError):
                    client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            link = _Link(client, upstream)
            with self._lock:
                self._links.append(link)
                self.stats.links_opened += 1
            threading.Thread(target=self._pump, args=(link,), name="fault-proxy-pump", daemon=True).start()

    def _pump(self, link: _Link) -> None:
        pairs = {link.client: link.upstream, link.upstream: link.client}
        try:
            while not link.closed.is_set():
                readable, _, _ = select.select(list(pairs), [], [], 0.5)
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        link.close()
                        return
                    if self._spend(from_server=source is link.upstream):
                        self.cut()
                        return
                    if self.latency and source is link.upstream:
                        time.sleep(self.latency)  # this link's own pump thread: other links are not held
                    pairs[source].sendall(data)
        except (OSError, ValueError):
            link.close()

    def _spend(self, *, from_server: bool) -> bool:
        """Count one chunk in the armed direction; True when the budget is exhausted (the chunk is dropped)."""
        with self._lock:
            if self._budget is None or from_server != self._count_replies:
                return False
            if self._budget <= 0:
                return True
            self._budget -= 1
            return False


class ServerControl(Protocol):
    """Stops and starts the server behind an endpoint (same port, same data)."""

    def stop(self) -> None: ...
    def start(self) -> None: ...


class ProxyOutage:
    """A server "restart" simulated at the proxy, for servers the harness must not restart.

    Stopping cuts every link and refuses new ones; starting accepts again.  The
    server itself never notices more than dropped connections.
    """

    def __init__(self, proxy: FaultProxy) -> None:
        self.proxy = proxy

    def stop(self) -> None:
        self.proxy.refuse(True)
        self.proxy.cut()

    def start(self) -> None:
        self.proxy.refuse(False)


class FaultInjector:
    """What a fault contract drives: adapters through a proxy, cuts, and server restarts.

    ``endpoint`` is the engine's endpoint rewritten to reach the server through
    ``proxy``; ``server`` restarts the real server when the harness owns it
    (its throwaway local server) and is a :class:`ProxyOutage` otherwise.
    """

    def __init__(self, proxy: FaultProxy, endpoint: Endpoint, server: ServerControl | None = None) -> None:
        self.proxy = proxy
        self.endpoint = endpoint
        self.server: ServerControl = server if server is not None else ProxyOutage(proxy)
        self.real_restart = server is not None

    def adapter(self, factory: Callable[[Endpoint], Adapter]) -> Adapter:
        """A new adapter from ``factory`` whose connections run through the proxy."""
        return factory(self.endpoint)

    def cut(self) -> int:
        return self.proxy.cut()

    def cut_after(self, writes: int, *, replies: bool = False) -> None:
        self.proxy.cut_after(writes, replies=replies)

    def disarm(self) -> bool:
        return self.proxy.disarm()

    def stop_server(self) -> None:
        self.server.stop()

    def start_server(self) -> None:
        self.server.start()

    def close(self) -> None:
        self.proxy.refuse(False)
        self.proxy.close()


#: The marker of the contracts that need fault support; the plugin parametrizes them only over
#: engines whose class sets ``supports_faults``.
FAULTS_MARKER = "faults"


def fault_contract_files() -> frozenset[str]:
    """The contract modules marked ``faults`` as a whole (``pytestmark = pytest.mark.faults``): they run,
    and a certificate requires them, only on engines with fault support.  Read from their source, so
    the contracts themselves say which they are and nothing is imported."""
    return marked_contract_files(FAULTS_MARKER)
