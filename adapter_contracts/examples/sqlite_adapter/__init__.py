"""An example third-party adapter: SQLite through the standard library, no server.

It lives outside ``adapters/`` and imports only what an outside team would, from
the public interface :mod:`adapter_contracts`: the ``Adapter`` interface, the
records, the errors, the shared validation, cursors and limits.  Certify it with::

    python -m pytest -n 2 --pyargs adapter_contracts.contracts \
        --adapter adapter_contracts.examples.sqlite_adapter:make_adapter

Storage choices (the schema file explains each): timestamps are integer epoch
milliseconds, amounts integer counts of 0.0001, payloads JSON text.  Every
write runs in its own ``BEGIN IMMEDIATE`` transaction, so an operation that
raises writes nothing, parents are checked under the write lock (the reported
field is exact and no other connection can race the check), and a second
connection sees the commit at once.

Every module imports the public interface from the package root
``adapter_contracts`` and nothing else of it (docs/adapter-authors-guide.md,
section 0), and its own parts relatively.  One concern a module:
``connection`` (the sqlite3 connection, transactions, reads, parent checks),
``translation`` (sqlite3 errors as the contract's), ``codecs`` (stored values
and rows as records), ``paging`` (windows), ``schema`` (the DDL and its
declaration), and the entity methods in ``users``, ``clients`` and
``billing``, assembled with the factory in ``adapter``.
"""

from __future__ import annotations

from .adapter import SQLiteAdapter, make_adapter
from .schema import SCHEMA_PATH

__all__ = ["SCHEMA_PATH", "SQLiteAdapter", "make_adapter"]
