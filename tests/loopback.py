"""Small socket servers for the suite's tests: one accept loop, each connection handled as a test needs
(hung up at once, held silent, answered)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["serving"]

#: Seconds between two looks at whether the block has ended: the loop's accept() waits this long at most.
_POLL = 0.05


@contextmanager
def serving(server: socket.socket, handle: Callable[[socket.socket], None]) -> Iterator[socket.socket]:
    """Accept ``server``'s connections in a thread of its own, each handed to ``handle`` (which owns it),
    until the block ends (given ``server``); then the thread is joined, bounded, and ``server`` closed."""
    done = threading.Event()
    server.settimeout(_POLL)

    def serve() -> None:
        while not done.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            handle(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        done.set()
        thread.join(timeout=5)
        server.close()
