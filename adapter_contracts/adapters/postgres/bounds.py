"""Bounded waits on PostgreSQL: connecting, each statement, each lock, and a server that stops answering.

The server bounds what it runs (``statement_timeout``, ``lock_timeout``), but a
server that stops answering (a stopped postmaster, a frozen host) bounds
nothing, and the kernel still acknowledges what is sent to a stopped process,
so TCP keepalives and ``tcp_user_timeout`` do not fire either.  psycopg waits
in its own loop; :class:`BoundedConnection` gives that loop a deadline a little
past the server's own, so a healthy server's timeout is still its error
(``QueryCanceled``, ``LockNotAvailable``) and a silent one ends in
``ConnectionTimeout`` with the connection closed.  ``connect_timeout`` bounds
the whole handshake, authentication included (psycopg enforces it itself).
The harness's own connections use the same, so it is written once, here.
"""

from __future__ import annotations

import math
from typing import Any

import psycopg
from psycopg import errors, waiting
from psycopg.abc import PQGen

from adapter_contracts.adapters.bounds import DEFAULT_TIMEOUT, GRACE
from adapter_contracts.adapters.postgres.statements import SET_UTC

__all__ = ["BoundedConnection", "bounded_connect", "connect_params", "session_settings"]

_WAIT_INTERVAL = 0.1

Row = tuple[Any, ...]


def connect_params(timeout: float) -> dict[str, Any]:
    """libpq parameters that bound connecting (``connect_timeout``: whole seconds, at least 2) and notice a
    peer that vanished from the network (keepalives, ``tcp_user_timeout``)."""
    seconds = max(2, math.ceil(timeout))
    return {"connect_timeout": seconds, "keepalives": 1, "keepalives_idle": seconds, "keepalives_interval": 1,
            "keepalives_count": 3, "tcp_user_timeout": int(seconds * 1000)}


def session_settings(timeout: float) -> bytes:
    """The server-side bounds of one session: each statement and each lock wait."""
    millis = max(1, int(timeout * 1000))
    return f"SET statement_timeout = {millis}; SET lock_timeout = {millis}".encode()


class BoundedConnection(psycopg.Connection[Row]):
    """A psycopg connection whose every wait on the server ends after :attr:`bound` seconds."""

    #: Seconds one round trip may take before the server is taken for gone; None: unbounded.
    bound: float | None = None

    def wait(self, gen: PQGen[Any], interval: float = _WAIT_INTERVAL, timeout: float | None = None) -> Any:
        limit = timeout if timeout is not None else self.bound
        try:
            # psycopg's own wait answers an interrupt by cancelling the query through a new
            # connection and waiting for it (10 s more on a server that stopped answering):
            # an interrupt here closes the connection instead, at once.
            return waiting.wait(gen, self.pgconn.socket, interval=interval, timeout=limit)
        except (KeyboardInterrupt, SystemExit):
            self.pgconn.finish()
            raise
        except errors.OperationalError as exc:
            if not isinstance(exc, errors.ConnectionTimeout) and type(exc).__name__ == "_WaitTimeout":
                # Mid-protocol, the connection's state is unknown: close it, never reuse it.
                self.pgconn.finish()
                raise errors.ConnectionTimeout(
                    f"the server did not answer within {limit:g} s (server stopped answering)") from None
            raise


def bounded_connect(conninfo: str, timeout: float = DEFAULT_TIMEOUT, *, utc: bool = False,
                    **kwargs: Any) -> BoundedConnection:
    """An autocommit connection bounded by ``timeout`` everywhere: connecting, each round trip (client
    side), each statement and each lock wait (server side); ``utc``: its session in UTC, in the same
    round trip."""
    conn = BoundedConnection.connect(conninfo, autocommit=True, **{**connect_params(timeout), **kwargs})
    conn.bound = timeout + GRACE
    try:
        conn.execute(session_settings(timeout) + (f"; {SET_UTC}".encode() if utc else b""))
    except psycopg.Error:
        conn.close()
        raise
    return conn
