"""The MySQL-family adapter (MySQL 8, PlanetScale/Vitess, MariaDB) over PyMySQL.

Every public call is one transaction on one connection: validate first (same
order as :mod:`adapter_contracts.adapters.memory`), then do the work, commit, and roll back on
any error, so an operation that raises writes nothing.  Reads are single
statements in autocommit mode (one round trip each); writes open a
transaction.  Parent checks and cascades are done here with locking reads
instead of relying on foreign keys, which PlanetScale may not allow.

Its parts, one concern each, in the manner of Django's database backends:
``connection`` (connection parameters, transactions and their errors),
``translation`` (driver error codes as the contract's errors), ``codecs``
(values bound and rows read), ``paging`` (keyset positions, windows, the page
query), ``schema`` (the DDL with the server's exact collation, and its
declaration), and the entity methods in ``users``, ``clients`` and
``billing``, assembled in ``adapter``.
"""

from __future__ import annotations

from adapter_contracts.adapters.mysql.adapter import MySQLAdapter
from adapter_contracts.adapters.mysql.schema import exact_collation, schema_statements

__all__ = ["MySQLAdapter", "exact_collation", "schema_statements"]
