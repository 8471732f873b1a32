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
from dataclasses import dataclass, field

__all__ = ["FaultProxy", "FaultStats"]


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
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port: int = self._listener.getsockname()[1]
        self._stopped = threading.Event()
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

    def cut_after(self, writes: int) -> None:
        """Let ``writes`` more client->server chunks through, then cut every link."""
        with self._lock:
            self._budget = writes

    def close(self) -> None:
        self._stopped.set()
        with contextlib.suppress(OSError):
            self._listener.close()
        self.cut()

    # -- plumbing ------------------------------------------------------------

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
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
                    if source is link.client and self._spend():
                        self.cut()
                        return
                    pairs[source].sendall(data)
        except (OSError, ValueError):
            link.close()

    def _spend(self) -> bool:
        """Count one client write; True when the budget is exhausted (the write is dropped)."""
        with self._lock:
            if self._budget is None:
                return False
            if self._budget <= 0:
                return True
            self._budget -= 1
            return False
