"""The PostgreSQL adapter's and engine's own helpers; the server-backed ones use a throwaway local server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from typing import ClassVar
from urllib.parse import urlsplit

import pytest

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import StorageUnavailable
from adapter_contracts.adapters.postgres import PostgresAdapter, keyset_bound, load_json, schema_sql
from adapter_contracts.harness.config import HarnessConfig
from adapter_contracts.harness.engines.base import Endpoint
from adapter_contracts.harness.engines.postgres import PostgresEngine
from adapter_contracts.harness.engines.postgres.provisioning import database_name, libpq_url, with_database
from adapter_contracts.harness.engines.postgres.storage import RawStorage
from adapter_contracts.harness.faults import FaultProxy
from adapter_contracts.harness.provision.common import ProvisionUnavailable
from tests.provisioned import provision

T = datetime(2024, 5, 1, tzinfo=UTC)


# -- pure helpers -------------------------------------------------------------


def test_jsonb_integers_beyond_the_int_domain_load_as_the_floats_they_were() -> None:
    # jsonb prints 1e16 as 10000000000000000; stored ints never exceed 2^53-1.
    loaded = load_json('{"f": 10000000000000000, "i": 9007199254740991, "n": -9007199254740991, "g": 1.5}')
    assert loaded == {"f": 1e16, "i": 2**53 - 1, "n": -(2**53 - 1), "g": 1.5}
    assert [type(loaded[k]) for k in "fing"] == [float, int, int, float]


NUL_FREE = ["", "a", "ab", "ab\x01", "abc", "ab\ue000", "ab\uffff", "ab\U0001f600", "b", "a\x7f"]


@pytest.mark.parametrize("tail", ["ab\x00c", "ab\x00", "\x00", "ab\ud800", "ab\udfffz", "\ud83d"])
def test_unstorable_cursor_text_selects_the_same_rows_as_code_point_order(tail: str) -> None:
    bound = keyset_bound(0, tail)
    assert bound is not None
    op, at, key = bound
    assert at == datetime(1970, 1, 1, tzinfo=UTC)
    assert isinstance(key, str)
    assert "\x00" not in key
    key.encode("utf-8")  # no lone surrogates left
    for row in NUL_FREE:
        after = row > key if op == ">" else row >= key
        assert after == (row > tail), (row, tail, bound)


def test_cursor_times_and_sequences_outside_storage_are_clamped() -> None:
    assert keyset_bound(10**18, "x") is None  # beyond 9999-12-31: nothing follows
    assert keyset_bound(-5, "x") == ("", datetime(1970, 1, 1, tzinfo=UTC), "")  # everything follows
    assert keyset_bound(0, 2**80) == (">", datetime(1970, 1, 1, tzinfo=UTC), 2**63 - 1)
    assert keyset_bound(0, -(2**80)) == (">", datetime(1970, 1, 1, tzinfo=UTC), -(2**63))


TABLES = PostgresEngine.layout.tables() if PostgresEngine.layout else ()


def test_reset_deletes_every_table_after_the_tables_that_reference_it() -> None:
    order = re.findall(r'DELETE FROM "(\w+)";', RawStorage("postgresql://", PostgresEngine())._reset_sql.decode())
    assert TABLES
    assert sorted(order) == sorted(TABLES)
    ddl = schema_sql()
    for child, body in re.findall(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*?)\n\);", ddl, re.S):
        for parent in re.findall(r"REFERENCES (\w+)\(", body):
            assert order.index(child) < order.index(parent), (child, parent)


def test_schema_tables_are_the_layouts_tables() -> None:
    assert sorted(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", schema_sql())) == sorted(TABLES)


def test_own_database_keeps_the_dsn_form_and_its_options() -> None:
    url = with_database("postgresql://u:secret@db.example:5433/postgres?sslmode=disable", "contract_ab")
    parts = urlsplit(url)
    assert (parts.path, parts.query, parts.password, parts.port) == ("/contract_ab", "sslmode=disable", "secret", 5433)
    kv = with_database("host=db.example port=5433 dbname=postgres", "contract_ab")
    assert "dbname=contract_ab" in kv
    assert "port=5433" in kv
    assert libpq_url("postgresql+psycopg2://test:test@localhost:32768/test") == (
        "postgresql://test:test@localhost:32768/test"
    )
    assert re.fullmatch(r"contract_[0-9a-f]{12}", database_name())
    assert database_name() != database_name()


# -- against a throwaway local server -------------------------------------------


@pytest.fixture(scope="module")
def local() -> Iterator[tuple[PostgresEngine, Endpoint]]:
    engine = PostgresEngine()
    with ExitStack() as stack:
        try:
            endpoint = provision(engine, "local", HarnessConfig(), stack)
        except ProvisionUnavailable as exc:
            pytest.skip(f"no local PostgreSQL server: {exc}")
        yield engine, endpoint


def _fill(adapter: Adapter) -> None:
    user = adapter.create_user(email="ann@example.com", password_hash="h", id="u")
    client = adapter.create_client(payload={"b": [1, 2.5]}, id="c", created_at=T)
    adapter.save_user_setup(user.id, is_setup_complete=True, completed_at=T, setup_data={"s": 1})
    adapter.save_user_workspace(user.id, {"w": None})
    adapter.save_integration(user.id, "crm", "x", {})
    adapter.create_campaign(user_id=user.id, payload={}, id="k", created_at=T)
    adapter.link_admin(user.id, client.id)
    adapter.save_oauth(client.id, "p", {})
    adapter.save_client_campaign("cc", client_id=client.id, payload={})
    adapter.record_usage(client.id, timestamp=T, tokens_used=1, cost=2, admin_id=user.id)


def test_reset_empties_all_ten_tables_and_snapshot_reads_them(local: tuple[PostgresEngine, Endpoint]) -> None:
    engine, endpoint = local
    engine.reset()
    with PostgresAdapter(endpoint.dsn) as adapter:
        _fill(adapter)
    snap = engine.snapshot()
    assert {table: len(rows) for table, rows in snap.items()} == dict.fromkeys(TABLES, 1)
    assert snap["clients"][0][2] == '{"b": [1, 2.5]}'
    assert hash(tuple(tuple(rows) for rows in snap.values()))
    engine.reset()
    assert all(rows == [] for rows in engine.snapshot().values())


def test_a_cut_connection_is_unavailable_once_then_reconnects(local: tuple[PostgresEngine, Endpoint]) -> None:
    engine, endpoint = local
    engine.reset()
    port = urlsplit(endpoint.dsn).port
    assert port is not None
    proxy = FaultProxy("127.0.0.1", port)
    try:
        proxied = urlsplit(endpoint.dsn)._replace(netloc=f"postgres@127.0.0.1:{proxy.port}").geturl()
        with PostgresAdapter(proxied) as adapter:
            adapter.create_client(payload={}, id="before")
            proxy.cut()
            with pytest.raises(StorageUnavailable):
                adapter.create_client(payload={}, id="lost")
            assert [c.id for c in adapter.list_clients().items] == ["before"]
    finally:
        proxy.close()


def test_an_unreachable_server_is_storage_unavailable() -> None:
    with PostgresAdapter("postgresql://postgres@127.0.0.1:1/postgres?connect_timeout=2") as adapter, \
            pytest.raises(StorageUnavailable):
        adapter.get_user("u")


class FakeContainer:
    """Stands in for testcontainers' PostgresContainer, serving the local server; records the calls."""

    url: ClassVar[str] = ""
    calls: ClassVar[list[str]] = []

    def __init__(self, image: str, username: str | None = None, password: str | None = None,
                 dbname: str | None = None, driver: str | None = "psycopg2") -> None:
        self.calls.append(f"init {image} driver={driver}")
        self.calls.append(f"credentials {username} {password} {dbname}")

    def with_command(self, command: str) -> FakeContainer:
        self.calls.append(f"command {command}")
        return self

    def with_kwargs(self, **kwargs: object) -> FakeContainer:
        self.calls.append(f"kwargs {sorted(kwargs)}")
        return self

    def start(self) -> FakeContainer:
        self.calls.append("start")
        return self

    def get_connection_url(self) -> str:
        return self.url

    def stop(self) -> None:
        self.calls.append("stop")


def test_container_provider_uses_the_documented_api_and_stops_the_container(
    local: tuple[PostgresEngine, Endpoint], monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("testcontainers.community.postgres")
    _, endpoint = local
    server = urlsplit(endpoint.dsn)
    FakeContainer.url = server._replace(scheme="postgresql+psycopg2", path="/postgres").geturl()
    FakeContainer.calls = []
    monkeypatch.setattr("testcontainers.community.postgres.PostgresContainer", FakeContainer)
    engine = PostgresEngine()
    with ExitStack() as stack:
        started = provision(engine, "container", HarnessConfig(), stack)
        assert (started.provider, started.database) == ("container", "contract")
        assert urlsplit(started.dsn).path == "/contract"
        engine.reset()
        assert FakeContainer.calls[-1] == "start"
    assert FakeContainer.calls[0] == "init postgres:16-alpine driver=None"
    # A role and password of its own (testcontainers' default is test/test), in the maintenance database.
    _, user, password, dbname = FakeContainer.calls[1].split()
    assert re.fullmatch(r"contract_[0-9a-f]{8}", user), user
    assert re.fullmatch(r"[0-9a-f]{24}", password)
    assert dbname == "postgres"
    assert "fsync=off" in FakeContainer.calls[2]
    assert FakeContainer.calls[-1] == "stop"
