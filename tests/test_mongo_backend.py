"""Mongo helpers: the real-server check, the timestamp format, error mapping, the stand-in engine."""

from __future__ import annotations

import random
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import bson
import pytest
from bson.errors import InvalidDocument
from pymongo.errors import AutoReconnect, DuplicateKeyError, OperationFailure, ServerSelectionTimeoutError

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.errors import (
    AdapterError,
    Conflict,
    StorageUnavailable,
    ValidationError,
    translate_errors,
)
from adapter_contracts.adapters.mongo import decode_payload, encode_payload, format_timestamp, parse_timestamp
from adapter_contracts.adapters.mongo.paging import after_query
from adapter_contracts.adapters.mongo.translation import DRIVER_ERRORS, translate
from adapter_contracts.harness.config import HarnessConfig
from adapter_contracts.harness.engines import base as engine_base
from adapter_contracts.harness.engines.mongo import MongoEngine
from adapter_contracts.harness.engines.mongo.standin import MongomockEngine
from tests.provisioned import provision


@pytest.fixture
def nothing_available(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_base, "docker_available", lambda: "no Docker socket at /x")
    monkeypatch.setattr(engine_base, "find_binary", lambda name, dirs=(): None)


@pytest.mark.usefixtures("nothing_available")
def test_reason_lists_every_check_when_nothing_is_available() -> None:
    reason = MongoEngine.unreachable(HarnessConfig())
    assert reason is not None
    assert "\n" not in reason
    for part in ("dsn:", "container: no Docker socket", "local: no mongod"):
        assert part in reason


@pytest.mark.usefixtures("nothing_available")
def test_a_dsn_is_enough() -> None:
    assert MongoEngine.unreachable(HarnessConfig(dsns={"mongo": "mongodb://h"})) is None


def test_docker_or_mongod_is_enough(monkeypatch: pytest.MonkeyPatch, nothing_available: None) -> None:
    monkeypatch.setattr(engine_base, "find_binary", lambda name, dirs=(): "/opt/mongodb/bin/mongod")
    assert MongoEngine.unreachable(HarnessConfig()) is None
    monkeypatch.setattr(engine_base, "find_binary", lambda name, dirs=(): None)
    monkeypatch.setattr(engine_base, "docker_available", lambda: None)
    assert MongoEngine.unreachable(HarnessConfig()) is None


def test_a_pinned_provider_is_the_only_one_checked(monkeypatch: pytest.MonkeyPatch, nothing_available: None) -> None:
    monkeypatch.setattr(engine_base, "docker_available", lambda: None)
    reason = MongoEngine.unreachable(HarnessConfig(providers={"mongo": "local"}))
    assert reason is not None
    assert reason.startswith("local:")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (limits.TIME_MIN, "1970-01-01T00:00:00.000Z"),
        (limits.TIME_MAX, "9999-12-31T23:59:59.999Z"),
        (datetime(2024, 5, 1, 12, 0, 0, 500_000, tzinfo=UTC), "2024-05-01T12:00:00.500Z"),
    ],
)
def test_timestamps_are_fixed_width_utc(value: datetime, text: str) -> None:
    assert format_timestamp(value) == text
    assert parse_timestamp(text) == value
    assert parse_timestamp(text).utcoffset() == timedelta(0)


def test_string_order_is_time_order() -> None:
    rng = random.Random(7)
    span = int((limits.TIME_MAX - limits.TIME_MIN) / timedelta(milliseconds=1))
    times = [limits.TIME_MIN + timedelta(milliseconds=rng.randrange(span)) for _ in range(500)]
    base = datetime(2024, 1, 1, tzinfo=UTC)
    times += [base, base + timedelta(milliseconds=500), base + timedelta(seconds=1)]  # ".000Z" vs ".500Z"
    assert sorted(times, key=format_timestamp) == sorted(times)
    assert {len(format_timestamp(t)) for t in times} == {24}


def test_cursor_times_outside_the_domain_are_clamped() -> None:
    assert after_query("t", "id", -5, "x") == {}
    assert after_query("t", "id", 10**18, "x") is None


@pytest.mark.parametrize(
    ("raised", "expected", "field"),
    [
        (DuplicateKeyError("E11000", 11000, {"keyPattern": {"email": 1}}), Conflict, "email"),
        (DuplicateKeyError("E11000", 11000, {"keyPattern": {"_id": 1}}), Conflict, "id"),
        (AutoReconnect("gone"), StorageUnavailable, None),
        (ServerSelectionTimeoutError("no server"), StorageUnavailable, None),
        (InvalidDocument("bad key"), ValidationError, "document"),
        (OverflowError("int too big"), ValidationError, "document"),
        (OperationFailure("boom", 2), AdapterError, None),
    ],
)
def test_driver_errors_are_mapped(raised: Exception, expected: type[AdapterError], field: str | None) -> None:
    with pytest.raises(expected) as info, translate_errors(DRIVER_ERRORS, translate):
        raise raised
    assert type(info.value) is expected
    if field is not None:
        assert getattr(info.value, "field", None) == field


def test_stand_in_reset_keeps_the_billing_sequence_growing() -> None:
    engine = MongomockEngine()
    with ExitStack() as stack:
        endpoint = provision(engine, "mongomock", HarnessConfig(), stack)
        adapter = engine.make_adapter(endpoint)
        client = adapter.create_client(payload={"": 1, "$x": {"a.b": [1.5]}})
        first = adapter.record_usage(client.id, timestamp=limits.TIME_MIN, tokens_used=1, cost=Decimal("0.1"))
        assert engine.snapshot()["client_billing"]
        engine.reset()
        assert all(not rows for rows in engine.snapshot().values())
        client = adapter.create_client(payload={})
        second = adapter.record_usage(client.id, timestamp=limits.TIME_MIN, tokens_used=1, cost=0)
        assert int(second.id) > int(first.id)


_AWKWARD: list[dict[str, object]] = [
    {"": 1, "$x": {"a.b": [1.5, -0.0]}, "_id": None},
    {"$ref": "users", "$id": 1},
    {"$ref": "users", "$id": 1, "$db": None},
    {"nested": [{"$ref": "c", "$id": {"$ref": "d", "$id": 2}, "k": True}]},
    {"$$literal": [1, 2]},
    {"$$literal": 3},
    {"big": 2**53 - 1, "small": -(2**40), "bool": False},
]


def _same(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        assert isinstance(b, list)
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@pytest.mark.parametrize("payload", _AWKWARD)
def test_payloads_survive_real_bson_decoding(payload: dict[str, object]) -> None:
    # mongomock never encodes BSON; this is the path a real server's replies take.
    stored = bson.decode(bson.encode({"payload": encode_payload(payload)}))["payload"]
    assert _same(decode_payload(stored), payload)


@pytest.mark.parametrize("payload", _AWKWARD)
def test_payloads_survive_the_stand_in(payload: dict[str, object]) -> None:
    engine = MongomockEngine()
    with ExitStack() as stack:
        adapter = engine.make_adapter(provision(engine, "mongomock", HarnessConfig(), stack))
        client = adapter.create_client(payload=payload)
        adapter.update_client(client.id, payload)
        got = adapter.get_client(client.id)
        assert got is not None
        assert _same(got.payload, payload)


@pytest.mark.parametrize(
    ("scope", "key"),
    [
        ("campaigns", (1_714_564_800_000, "b\ud800x")),
        ("campaigns", (1_714_564_800_000, "")),
        ("campaigns", (-1, "a")),
        ("campaigns", (10**20, "a")),
        ("billing", (1_714_564_800_000, 10**30)),
        ("billing", (1_714_564_800_000, -(10**30))),
    ],
)
def test_forged_but_well_typed_cursors_page_like_the_reference(scope: str, key: tuple[int, object]) -> None:
    from adapter_contracts.adapters.cursor import encode_cursor, listing_scope
    from adapter_contracts.adapters.memory import MemoryAdapter

    engine = MongomockEngine()
    with ExitStack() as stack:
        mongo = engine.make_adapter(provision(engine, "mongomock", HarnessConfig(), stack))
        results = []
        for adapter in (mongo, MemoryAdapter()):
            user = adapter.create_user(email="a@example.com", password_hash="h", id="u")
            client = adapter.create_client(payload={}, id="c")
            at = datetime(2024, 5, 1, 12, tzinfo=UTC)
            for cid in ("a", "b", "b\ue000", "c", "\ue001"):
                adapter.create_campaign(user_id=user.id, payload={}, id=cid, created_at=at)
                adapter.record_usage(client.id, timestamp=at, tokens_used=1, cost=1)
            parent = "u" if scope == "campaigns" else "c"
            cursor = encode_cursor(listing_scope(scope, parent), *key)  # type: ignore[arg-type]
            if scope == "campaigns":
                results.append([c.id for c in adapter.list_campaigns("u", after=cursor).items])
            else:
                results.append([e.timestamp for e in adapter.list_usage("c", after=cursor).items])
        assert results[0] == results[1]
