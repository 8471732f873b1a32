"""The SQLite engine and the example adapter's storage choices the contracts cannot see."""

from __future__ import annotations

import sqlite3
import statistics
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.errors import AdapterError, StorageUnavailable
from adapter_contracts.examples.sqlite_adapter import SQLiteAdapter
from adapter_contracts.examples.sqlite_adapter import connection as sqlite_connection
from adapter_contracts.harness.config import HarnessConfig
from adapter_contracts.harness.engines import load_engine
from adapter_contracts.harness.engines.base import Endpoint
from adapter_contracts.harness.engines.sqlite import SQLiteEngine
from adapter_contracts.harness.plugging import load_factory
from tests.provisioned import provision

T0 = datetime(2024, 5, 1, 12, tzinfo=UTC)
MAX_AMOUNT = limits.AMOUNT_LIMIT - limits.AMOUNT_QUANTUM


@pytest.fixture
def started() -> Iterator[tuple[SQLiteEngine, Endpoint]]:
    engine = SQLiteEngine()
    with ExitStack() as stack:
        yield engine, provision(engine, "file", HarnessConfig(), stack)


def test_registered_and_pluggable() -> None:
    assert isinstance(load_engine("sqlite"), SQLiteEngine)
    plugged = load_factory("adapter_contracts.examples.sqlite_adapter:make_adapter", {"sqlite"})
    assert plugged.engine == "sqlite"


def test_start_provisions_a_file_and_cleanup_removes_it() -> None:
    engine = SQLiteEngine()
    with ExitStack() as stack:
        endpoint = provision(engine, "file", HarnessConfig(), stack)
        path = Path(endpoint.extra["path"])
        assert path.is_file()
        assert endpoint.server_version == f"SQLite {sqlite3.sqlite_version}"
        assert set(engine.snapshot()) == {
            "users", "user_setup", "user_workspace", "user_integrations", "campaigns", "clients",
            "admin_clients", "client_oauth", "client_campaigns", "client_billing",
        }
    assert not path.parent.exists()


def test_reset_empties_every_table_and_is_fast(started: tuple[SQLiteEngine, Endpoint]) -> None:
    engine, endpoint = started
    with engine.make_adapter(endpoint) as adapter:
        user = adapter.create_user(email="a@x", password_hash="h")
        client = adapter.create_client(payload={})
        adapter.link_admin(user.id, client.id)
        adapter.record_usage(client.id, timestamp=T0, tokens_used=1, cost=1, admin_id=user.id)
        assert any(engine.snapshot().values())
        timings = []
        for _ in range(200):
            began = time.perf_counter()
            engine.reset()
            timings.append(time.perf_counter() - began)
        assert not any(engine.snapshot().values())
        assert adapter.get_user(user.id) is None
    # A loose bound: catches a reset that rebuilds the file, not machine noise.
    assert statistics.median(timings) < 0.05


def test_snapshot_is_sorted_on_every_column(started: tuple[SQLiteEngine, Endpoint]) -> None:
    engine, endpoint = started
    with engine.make_adapter(endpoint) as adapter:
        for name in ["b", "A", "é", "_x"]:
            adapter.create_client(id=name, payload={"n": name}, created_at=T0)
    rows = engine.snapshot()["clients"]
    assert [r[0] for r in rows] == ["A", "_x", "b", "é"]


def test_sums_stay_exact_past_64_bit_integers(started: tuple[SQLiteEngine, Endpoint]) -> None:
    engine, endpoint = started
    with engine.make_adapter(endpoint) as adapter:
        client = adapter.create_client(payload={})
        for _ in range(20):  # 20 * (10^18 - 1) units > 2^63
            adapter.record_usage(client.id, timestamp=T0, tokens_used=MAX_AMOUNT, cost=Decimal("0.0001"))
        totals = adapter.usage_totals(client.id)
        assert totals.count == 20
        assert totals.tokens_used == MAX_AMOUNT * 20
        assert totals.cost == Decimal("0.0020")
        assert adapter.list_usage(client.id).items[0].tokens_used == MAX_AMOUNT


def test_locked_database_is_storage_unavailable_and_the_next_call_works(
    started: tuple[SQLiteEngine, Endpoint], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, endpoint = started
    monkeypatch.setattr(sqlite_connection, "BUSY_TIMEOUT_MS", 50)
    blocker = sqlite3.connect(endpoint.extra["path"], isolation_level=None)
    with SQLiteAdapter(endpoint.extra["path"]) as adapter:
        blocker.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StorageUnavailable):
            adapter.create_client(payload={})
        blocker.execute("ROLLBACK")
        assert adapter.create_client(payload={}).id
    blocker.close()


def test_a_closed_adapter_raises_adapter_errors_only(started: tuple[SQLiteEngine, Endpoint]) -> None:
    _, endpoint = started
    adapter = SQLiteAdapter(endpoint.extra["path"])
    adapter.close()
    with pytest.raises(AdapterError):
        adapter.get_user("u")
    with pytest.raises(AdapterError):
        adapter.create_client(payload={})


def test_unopenable_path_is_storage_unavailable(tmp_path: Path) -> None:
    with pytest.raises(StorageUnavailable):
        SQLiteAdapter(str(tmp_path / "missing-dir" / "x.db"))
