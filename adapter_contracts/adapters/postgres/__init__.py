"""The PostgreSQL adapter (psycopg 3) over the schema in ``adapters/sql/postgres.sql``.

One connection in autocommit mode: every operation is one statement, so it is
its own transaction, committed before the method returns (a second instance
sees it at once) and atomic when it fails (an operation that raises writes
nothing).  Validation runs first, in the reference adapter's order; database
errors are mapped afterwards, re-checking parents in signature order so the
reported field matches the reference even when Postgres trips over another
constraint first.

Its parts, one concern each, in the manner of Django's database backends:
``connection`` (the psycopg connection and every statement), ``translation``
(driver errors as the contract's), ``codecs`` (rows as records), ``paging``
(keyset bounds and windows), ``schema`` (the DDL and its declaration), and the
entity methods in ``users``, ``clients`` and ``billing``, assembled in ``adapter``.
"""

from __future__ import annotations

from adapter_contracts.adapters.postgres.adapter import PostgresAdapter
from adapter_contracts.adapters.postgres.codecs import load_json
from adapter_contracts.adapters.postgres.paging import keyset_bound
from adapter_contracts.adapters.postgres.schema import schema_sql

__all__ = ["PostgresAdapter", "keyset_bound", "load_json", "schema_sql"]
