"""Adapters whose create_schema() lays out the canonical layout and then deviates from it in ways the
harness's own raw reads must survive (issue 17, item 7): the layout contract reports each difference in
one line; nothing may end in an INTERNALERROR.  Used by tests/test_layout_deviations.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

import psycopg

from adapter_contracts.adapters.mysql import MySQLAdapter
from adapter_contracts.adapters.postgres import PostgresAdapter
from adapter_contracts.harness.engines.mysql.provisioning import parse_mysql_dsn
from adapter_contracts.harness.plugging import adapter_factory

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.base import Endpoint


class _PostgresThen(PostgresAdapter):
    """The built-in PostgreSQL adapter, whose create_schema() runs ``DEVIATION`` after the canonical DDL."""

    DEVIATION = ""

    def __init__(self, dsn: str) -> None:
        super().__init__(dsn)
        self.dsn_for_ddl = dsn

    def create_schema(self) -> None:
        super().create_schema()
        with psycopg.connect(self.dsn_for_ddl, autocommit=True) as conn:
            conn.execute(self.DEVIATION.encode())


class JsonNotJsonb(_PostgresThen):
    """json has no equality or ordering in PostgreSQL: a snapshot that sorted rows in SQL failed on it."""

    DEVIATION = ("ALTER TABLE campaigns ALTER COLUMN payload TYPE json USING payload::json;"
                 "ALTER TABLE clients ALTER COLUMN payload TYPE json USING payload::json;")


class UsersWithoutName(_PostgresThen):
    """A canonical column missing: the adapter's own writes fail, the harness's raw reads must not."""

    DEVIATION = "ALTER TABLE users DROP COLUMN name;"


class TextAndShiftedColumns(MySQLAdapter):
    """A JSON column laid out as TEXT, and a column the layout does not have before another JSON column:
    a snapshot that found JSON columns by position parsed the extra column's text as JSON."""

    dsn_for_ddl = ""

    def create_schema(self) -> None:
        super().create_schema()
        address, database = parse_mysql_dsn(self.dsn_for_ddl)
        with address.connect(database) as conn, conn.cursor() as cur:
            cur.execute("ALTER TABLE client_oauth MODIFY data TEXT NOT NULL")
            cur.execute("ALTER TABLE clients ADD COLUMN region VARCHAR(8) NOT NULL DEFAULT 'eu' AFTER created_at")


@adapter_factory(engine="postgres")
def json_not_jsonb(endpoint: Endpoint) -> PostgresAdapter:
    return JsonNotJsonb(endpoint.dsn)


@adapter_factory(engine="postgres")
def users_without_name(endpoint: Endpoint) -> PostgresAdapter:
    return UsersWithoutName(endpoint.dsn)


@adapter_factory(engine="mysql")
def text_and_shifted_columns(endpoint: Endpoint) -> MySQLAdapter:
    adapter = TextAndShiftedColumns.from_url(endpoint.dsn)
    adapter.dsn_for_ddl = endpoint.dsn
    return adapter
