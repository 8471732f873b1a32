"""A write the aiomysql adapter cancelled never lands after the instance's next operation.

Cancelling an operation drops its connection, but the server may still hold the statement it
received: here one waiting on a row lock, which it would complete (and, autocommitted, commit) once
the lock is released, seconds after the caller was told it was cancelled.  The adapter ends that
connection's server thread before its next operation (adapters/mysql_async/connection.py), as the
asyncpg adapter reaps its backends.  Against the MariaDB service; about 1 s.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import datetime, timezone

import pymysql
import pytest

from adapter_contracts.adapters.mysql_async import AsyncMySQLAdapter

DATABASE = f"adapter_reap_{os.getpid()}"
URL = f"mysql://root@127.0.0.1:3306/{DATABASE}"
T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _service() -> pymysql.connections.Connection:
    return pymysql.connect(host="127.0.0.1", port=3306, user="root", password="", autocommit=True,
                           connect_timeout=5, read_timeout=10, write_timeout=10)


@pytest.fixture
def database() -> Iterator[str]:
    with _service() as conn, conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{DATABASE}`")
    try:
        yield DATABASE
    finally:
        with _service() as conn, conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{DATABASE}`")


def _entries(conn: pymysql.connections.Connection) -> int:
    with conn.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM `{DATABASE}`.client_billing WHERE client_id = 'k'")
        (count,) = cur.fetchone()
    return int(count)


def test_a_cancelled_write_waiting_on_a_lock_does_not_land_after_the_next_operation(database: str) -> None:
    async def scenario(blocker: pymysql.connections.Connection) -> None:
        adapter = AsyncMySQLAdapter.from_url(URL, timeout=5.0)
        try:
            await adapter.create_schema()
            await adapter.create_client(payload={}, id="k", created_at=T0)
            with blocker.cursor() as cur:
                blocker.begin()
                cur.execute(f"SELECT 1 FROM `{DATABASE}`.clients WHERE id = 'k' FOR UPDATE")
            # The entry's insert takes a shared lock on its client: it waits behind the blocker.
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.5):
                    await adapter.record_usage("k", timestamp=T0, tokens_used=1, cost=1)
            assert await adapter.get_client("k") is not None  # the next operation: the cancelled one is ended
            blocker.rollback()  # the lock is free: a statement still waiting would insert now
            await asyncio.sleep(0.5)
            assert _entries(blocker) == 0, "the cancelled write landed after the next operation"
            # The instance works on: a write now lands once.
            await adapter.record_usage("k", timestamp=T0, tokens_used=1, cost=1)
            assert _entries(blocker) == 1
        finally:
            await adapter.close()

    with _service() as blocker:
        asyncio.run(asyncio.wait_for(scenario(blocker), 30))
