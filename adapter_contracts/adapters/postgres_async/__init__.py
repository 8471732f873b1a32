"""The asyncio PostgreSQL adapter (asyncpg) over the sync adapter's schema, ``adapters/sql/postgres.sql``.

asyncpg, not psycopg's ``AsyncConnection``: a different driver than the sync
adapter's, so both popular paths to PostgreSQL from Python are certified.
What it shares with the sync adapter (``adapters/postgres/``): the statements
(``%s`` numbered as ``$n``), the translation of errors by SQLSTATE, the codecs
(jsonb parsed by the same function) and the keyset paging; what is its own:
``connection`` (one asyncpg connection per instance, taken in turns by the
tasks sharing it, dropped when a task is cancelled while holding it) and the
entity methods as coroutines in ``users``, ``clients`` and ``billing``.
"""

from __future__ import annotations

from adapter_contracts.adapters.postgres_async.adapter import AsyncPostgresAdapter

__all__ = ["AsyncPostgresAdapter"]
