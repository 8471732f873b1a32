"""Adapters whose queries are right but whose create_schema() is not the canonical layout.

Certification runs on the storage the adapter lays out itself, on a database
whose defaults are hostile (ICU ``en-US`` collation, a +05:45 time zone), so
both must be refused in the ``schema`` area with a line naming what differs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import psycopg

from adapter_contracts.adapters.postgres import PostgresAdapter
from adapter_contracts.harness.plugging import adapter_factory

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.base import Endpoint

SEED_DDL = Path(__file__).with_name("seed_postgres.sql")


class CreatesNothing(PostgresAdapter):
    """create_schema() does nothing: the adapter expects someone else to have made its tables."""

    def create_schema(self) -> None:
        return None


class SeedDdlVerbatim(PostgresAdapter):
    """create_schema() runs the seed's DDL as written: default collation on TEXT keys,
    unconstrained NUMERIC amounts, no indexes for the listings."""

    def create_schema(self) -> None:
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            conn.execute(SEED_DDL.read_text(encoding="utf-8").encode("utf-8"))


@adapter_factory(engine="postgres")
def creates_nothing(endpoint: Endpoint) -> PostgresAdapter:
    return CreatesNothing(endpoint.dsn)


@adapter_factory(engine="postgres")
def seed_ddl_verbatim(endpoint: Endpoint) -> PostgresAdapter:
    return SeedDdlVerbatim(endpoint.dsn)
