"""The built-in adapters' bounds on waiting for a server: the default, the client's grace, the async deadline.

``DEFAULT_TIMEOUT`` is ``Endpoint.timeout``'s default (``--server-timeout``'s);
``GRACE`` is how much later than the server's own statement and lock bounds a
client gives up, so that a healthy server's timeout is still its error.

A stopped server bounds nothing itself, and aiomysql and asyncpg (past connecting)
have no read timeout of their own: the operation runs under ``asyncio.timeout``,
whose cancellation makes the adapter drop its connection (the server then rolls
back whatever was open), and the expiry is ``StorageUnavailable``, as the sync
adapters' read timeouts and deadlines are.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from adapter_contracts.adapters.errors import StorageUnavailable

__all__ = ["DEFAULT_TIMEOUT", "GRACE", "bounded"]

#: Seconds: the bound on any one wait when the caller names none.
DEFAULT_TIMEOUT = 10.0
#: Seconds the client waits beyond the server's own bounds.
GRACE = 2.0


@asynccontextmanager
async def bounded(seconds: float) -> AsyncIterator[None]:
    """Cancel what runs inside after ``seconds`` and raise ``StorageUnavailable`` instead of ``TimeoutError``;
    a cancellation from outside (the caller's own ``asyncio.timeout``) passes through unchanged."""
    try:
        async with asyncio.timeout(seconds):
            yield
    except TimeoutError:
        raise StorageUnavailable(f"the server did not answer within {seconds:g} s (server stopped answering)") from None
