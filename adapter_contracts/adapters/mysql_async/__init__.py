"""The asyncio MySQL-family adapter (MySQL 8, MariaDB) over aiomysql, on the sync adapter's layout.

Why aiomysql, not asyncmy (both maintained: aiomysql 0.3.2 of 2025-10 under
aio-libs, asyncmy 0.2.18 of 2026-11): aiomysql runs PyMySQL's own protocol
code, error classes and converters, the ones the sync adapter is certified on,
so the translation by error code, the codecs and the statements are shared
verbatim and a value reads back the same through either adapter; it is pure
Python.  asyncmy is a Cython rewrite with converters and errors of its own, and
its record on exactly what the async contracts probe is recent: a read
cancelled mid-packet left the connection desynchronised and reusable, so the
next query got the previous one's rows (long2ice/asyncmy#103, fixed by a
protocol rewrite in 0.2.12/0.2.13), and zero dates break its converters
(long2ice/asyncmy#101).

What it shares with the sync adapter (``adapters/mysql/``): statements,
translation, codecs, paging, the schema statements and the collation choice;
what is its own: ``connection`` (one aiomysql connection per instance, taken in
turns by the tasks sharing it, its socket closed when a task is cancelled
while holding it, so the server rolls the open transaction back) and the entity
methods as coroutines in ``users``, ``clients`` and ``billing``.
"""

from __future__ import annotations

from adapter_contracts.adapters.mysql_async.adapter import AsyncMySQLAdapter

__all__ = ["AsyncMySQLAdapter"]
