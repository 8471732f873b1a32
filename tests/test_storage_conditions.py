"""The storage conditions an adapter meets are measured, not assumed (issue 17, item 6): each hostile
condition the README promises that the harness could not establish is in the engine's facts, as
``conditions_unmet``, with one line saying what the adapter meets instead."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import mongomock
import psycopg
import pytest

from adapter_contracts.harness.config import HarnessConfig
from adapter_contracts.harness.engines.mongo import MongoEngine, provisioning
from adapter_contracts.harness.session import EngineSession, StartedEngine

PG = "postgresql://postgres@127.0.0.1:5432/postgres"
MYSQL = "mysql://root@127.0.0.1:3306"


@contextmanager
def _started(**values: Any) -> Iterator[StartedEngine]:
    session = EngineSession(HarnessConfig.from_values(values))
    try:
        yield session.get(str(values["contract_engines"]))
    finally:
        session.close()


@pytest.fixture
def scratch_pg() -> Iterator[str]:
    """A database of the user's own on the PostgreSQL service, with the server's defaults."""
    name = f"scratch_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}".encode())
    yield name
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)".encode())


def test_a_postgres_database_the_harness_creates_meets_every_promise() -> None:
    with _started(contract_engines="postgres", contract_postgres_dsn=PG) as started:
        facts = started.facts()
        assert facts["conditions_unmet"] == {}
        assert facts["conditions"]["default collation"] == "ICU en-US"


def test_the_dsns_own_postgres_database_keeps_its_defaults_and_says_so(scratch_pg: str) -> None:
    with _started(contract_engines="postgres", contract_postgres_dsn=f"{PG.rsplit('/', 1)[0]}/{scratch_pg}",
                            contract_dsn_database="existing") as started:
        unmet = started.facts()["conditions_unmet"]
        assert sorted(unmet) == ["TimeZone +05:45", "default collation ICU en-US"]
        for line in unmet.values():
            assert "\n" not in line
            assert "instead: the DSN's own database (--dsn-database existing)" in line
        assert unmet["default collation ICU en-US"].startswith("libc ")


def test_on_a_users_mysql_server_the_time_zone_is_the_servers_and_says_so() -> None:
    with _started(contract_engines="mysql", contract_mysql_dsn=MYSQL) as started:
        facts = started.facts()
        # The service keeps MariaDB's default (SYSTEM): time_zone is server-wide, and not the harness's.
        assert list(facts["conditions_unmet"]) == ["time_zone +05:45"]
        line = facts["conditions_unmet"]["time_zone +05:45"]
        assert line.startswith(facts["conditions"]["time_zone"] + " (UTC")
        assert "does not change a default of a server it does not own" in line
        assert facts["conditions"]["default collation"].endswith("_ci")


def test_a_mysql_server_the_harness_starts_meets_every_promise() -> None:
    with _started(contract_engines="mysql", contract_provider="mysql=local") as started:
        assert started.facts()["conditions_unmet"] == {}


def test_mongo_collections_made_in_advance_are_an_unmet_promise() -> None:
    db = mongomock.MongoClient()["appdb"]
    assert provisioning.conditions(db, MongoEngine()) == ({"collections and indexes": "none made in advance"}, {})
    db["users"].insert_one({"_id": "u"})
    found, unmet = provisioning.conditions(db, MongoEngine())
    assert found == {"collections and indexes": "1 collection(s) there before create_schema()"}
    assert list(unmet) == ["no collections or indexes made in advance"]
    assert unmet["no collections or indexes made in advance"].startswith("1 collection(s) already there (users)")
