"""The value domain: key and text lengths, timestamps, amounts -- at the limits and one past them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import Conflict, ValidationError
from adapter_contracts.adapters.records import BillingTotals
from adapter_contracts.contracts.explain import disagreement, short
from adapter_contracts.contracts.support import (
    T0,
    Snapshot,
    assert_unchanged,
    check_each,
    check_rejections,
    is_utc,
    make_campaign,
    make_client,
    make_user,
    raises,
)
from adapter_contracts.strategies import (
    amounts,
    aware_datetimes,
    bad_amounts,
    emails,
    identifiers,
    naive_datetimes,
    out_of_range_datetimes,
)

D = Decimal

# -- keys and texts ----------------------------------------------------------


@dataclass(frozen=True)
class KeySink:
    """Store ``value`` in one key/text field (parents made by ``prepare``); return what a fresh read gives."""

    name: str
    field: str
    limit: int
    prepare: Callable[[Adapter], str]
    store: Callable[[Adapter, str, str], Any]


def _read(row: Any, attr: str) -> Any:
    assert row is not None, "the row was not stored"
    return getattr(row, attr)


def _only(rows: list[Any]) -> Any:
    assert len(rows) == 1, f"expected one row, listed {len(rows)}"
    return rows[0]


def _nothing(adapter: Adapter) -> str:
    return ""


def _parent_user(adapter: Adapter) -> str:
    return make_user(adapter, id="parent").id


def _parent_client(adapter: Adapter) -> str:
    return make_client(adapter, id="parent").id


KEY_SINKS = [
    KeySink("user-id", "id", limits.USER_ID_MAX, _nothing,
            lambda a, _, v: _read(a.get_user(make_user(a, id=v).id), "id")),
    KeySink("campaign-id", "id", limits.ENTITY_ID_MAX, _parent_user,
            lambda a, u, v: _read(a.get_campaign(make_campaign(a, u, id=v).id), "id")),
    KeySink("client-id", "id", limits.ENTITY_ID_MAX, _nothing,
            lambda a, _, v: _read(a.get_client(make_client(a, id=v).id), "id")),
    KeySink("client-campaign-id", "id", limits.ENTITY_ID_MAX, _parent_client,
            lambda a, k, v: _read(a.get_client_campaign(a.save_client_campaign(v, client_id=k, payload={}).id), "id")),
    KeySink("category", "category", limits.CATEGORY_MAX, _parent_user,
            lambda a, u, v: _only(a.list_integrations(a.save_integration(u, v, "p", {}).user_id)).category),
    KeySink("provider", "provider", limits.PROVIDER_MAX, _parent_user,
            lambda a, u, v: _only(a.list_integrations(a.save_integration(u, "c", v, {}).user_id)).provider),
    KeySink("platform", "platform", limits.PLATFORM_MAX, _parent_client,
            lambda a, k, v: _only(a.list_oauth(a.save_oauth(k, v, {}).client_id)).platform),
    KeySink("name", "name", limits.NAME_MAX, _nothing,
            lambda a, _, v: _read(a.get_user(make_user(a, name=v).id), "name")),
]


@pytest.mark.parametrize("sink", KEY_SINKS, ids=[s.name for s in KEY_SINKS])
@pytest.mark.parametrize("unit", ["x", "é", "😀"], ids=["ascii", "two-byte", "four-byte"])
def test_key_at_its_limit_is_stored_whole(adapter: Adapter, sink: KeySink, unit: str) -> None:
    parent = sink.prepare(adapter)
    value = unit * sink.limit
    assert sink.store(adapter, parent, value) == value


@pytest.mark.parametrize("sink", KEY_SINKS, ids=[s.name for s in KEY_SINKS])
@pytest.mark.parametrize("unit", ["x", "😀"], ids=["ascii", "four-byte"])
def test_key_one_past_its_limit_is_rejected(
    adapter: Adapter, raw_snapshot: Snapshot, sink: KeySink, unit: str
) -> None:
    # A truncating engine would store the first ``limit`` characters instead.
    parent = sink.prepare(adapter)
    assert_unchanged(raw_snapshot, lambda: sink.store(adapter, parent, unit * (sink.limit + 1)),
                     ValidationError, sink.field)


def test_truncation_cannot_make_two_keys_collide(adapter: Adapter) -> None:
    stem = "k" * limits.ENTITY_ID_MAX
    made = make_client(adapter, id=stem)
    raises(ValidationError, "id", lambda: make_client(adapter, id=stem + "1"))
    raises(ValidationError, "id", lambda: make_client(adapter, id=stem + "2"))
    assert adapter.list_clients().items == (made,)


def _email(adapter: Adapter, value: str) -> str:
    created = make_user(adapter, email=value)
    found = adapter.get_user_by_email(value)
    if found is None:
        # Say which half failed: a row that was never stored, or a lookup that misses a stored row.
        stored = adapter.get_user(created.id)
        observed = (f"create_user stored it (get_user({created.id!r}) has email {short(stored.email, 60)}), "
                    "the lookup by the same email found nothing" if stored is not None
                    else f"create_user returned {created.id!r}, but get_user finds no such row")
        raise AssertionError(f"{observed}\n" + disagreement(
            call=f"get_user_by_email({short(value, 60)})", actual=None, reference=created))
    return str(found.email)


@pytest.mark.parametrize("unit", ["x", "É", "😀"], ids=["ascii", "two-byte-upper", "four-byte"])
def test_email_at_its_limit_is_stored_whole(adapter: Adapter, unit: str) -> None:
    domain = "@example.com"
    value = unit * (limits.EMAIL_MAX - len(domain)) + domain
    assert _email(adapter, value) == value.lower()


def test_email_one_past_its_limit_is_rejected(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    domain = "@example.com"
    value = "x" * (limits.EMAIL_MAX - len(domain) + 1) + domain
    assert_unchanged(raw_snapshot, lambda: make_user(adapter, email=value), ValidationError, "email")
    raises(ValidationError, "email", lambda: adapter.get_user_by_email(value))


def test_email_length_counts_after_trimming(adapter: Adapter) -> None:
    domain = "@example.com"
    value = "x" * (limits.EMAIL_MAX - len(domain)) + domain
    assert make_user(adapter, email=f"   {value}   ").email == value


HASH_MAX = limits.PASSWORD_HASH_MAX_BYTES


@pytest.mark.parametrize("value", ["h" * HASH_MAX, "é" * (HASH_MAX // 2) + "h"], ids=["ascii", "two-byte"])
def test_password_hash_at_its_byte_limit_is_stored_whole(adapter: Adapter, value: str) -> None:
    user = make_user(adapter, password_hash=value)
    assert _read(adapter.get_user(user.id), "password_hash") == value


@pytest.mark.parametrize("value", ["h" * (HASH_MAX + 1), "é" * (HASH_MAX // 2 + 1)],
                         ids=["ascii", "two-byte-over-in-bytes-not-chars"])
def test_password_hash_past_its_byte_limit_is_rejected(adapter: Adapter, raw_snapshot: Snapshot, value: str) -> None:
    assert_unchanged(raw_snapshot, lambda: make_user(adapter, password_hash=value), ValidationError, "password_hash")


@pytest.mark.parametrize(
    "lookup",
    [
        lambda a: a.get_user("u" * (limits.USER_ID_MAX + 1)),
        lambda a: a.get_campaign("c" * (limits.ENTITY_ID_MAX + 1)),
        lambda a: a.get_client("c" * (limits.ENTITY_ID_MAX + 1)),
        lambda a: a.get_client_campaign("c" * (limits.ENTITY_ID_MAX + 1)),
        lambda a: a.get_integration("u", "c" * (limits.CATEGORY_MAX + 1), "p"),
        lambda a: a.get_oauth("k", "p" * (limits.PLATFORM_MAX + 1)),
        lambda a: a.list_campaigns("u" * (limits.USER_ID_MAX + 1)),
        lambda a: a.list_usage("k" * (limits.ENTITY_ID_MAX + 1)),
    ],
    ids=["get_user", "get_campaign", "get_client", "get_client_campaign", "get_integration", "get_oauth",
         "list_campaigns", "list_usage"],
)
def test_over_long_lookup_keys_are_rejected_not_truncated(adapter: Adapter, lookup: Callable[[Adapter], Any]) -> None:
    raises(ValidationError, None, lambda: lookup(adapter))


# -- timestamps --------------------------------------------------------------


@dataclass(frozen=True)
class TimeSink:
    """Store a timestamp in one field (parents made by ``prepare``); return (written, read back)."""

    name: str
    field: str
    prepare: Callable[[Adapter], str]
    store: Callable[[Adapter, str, Any], tuple[datetime | None, datetime | None]]


def _user_time(adapter: Adapter, _: str, ts: Any) -> tuple[datetime | None, datetime | None]:
    user = make_user(adapter, created_at=ts)
    return user.created_at, _read(adapter.get_user(user.id), "created_at")


def _campaign_time(adapter: Adapter, user_id: str, ts: Any) -> tuple[datetime | None, datetime | None]:
    campaign = make_campaign(adapter, user_id, created_at=ts)
    return campaign.created_at, _read(adapter.get_campaign(campaign.id), "created_at")


def _client_time(adapter: Adapter, _: str, ts: Any) -> tuple[datetime | None, datetime | None]:
    client = make_client(adapter, created_at=ts)
    return client.created_at, _read(adapter.get_client(client.id), "created_at")


def _setup_time(adapter: Adapter, user_id: str, ts: Any) -> tuple[datetime | None, datetime | None]:
    saved = adapter.save_user_setup(user_id, is_setup_complete=True, completed_at=ts)
    return saved.completed_at, _read(adapter.get_user_setup(user_id), "completed_at")


def _billing_time(adapter: Adapter, client_id: str, ts: Any) -> tuple[datetime | None, datetime | None]:
    entry = adapter.record_usage(client_id, timestamp=ts, tokens_used=1, cost=1)
    return entry.timestamp, adapter.list_usage(client_id).items[0].timestamp


TIME_SINKS = [
    TimeSink("user-created_at", "created_at", _nothing, _user_time),
    TimeSink("campaign-created_at", "created_at", _parent_user, _campaign_time),
    TimeSink("client-created_at", "created_at", _nothing, _client_time),
    TimeSink("setup-completed_at", "completed_at", _parent_user, _setup_time),
    TimeSink("billing-timestamp", "timestamp", _parent_client, _billing_time),
]
TIME_SINK_IDS = [s.name for s in TIME_SINKS]


def tz(hours: int, minutes: int = 0) -> timezone:
    return timezone(timedelta(hours=hours, minutes=minutes))


ACCEPTED_TIMES = [
    ("epoch", datetime(1970, 1, 1, tzinfo=UTC), datetime(1970, 1, 1, tzinfo=UTC)),
    ("epoch-from-west-offset", datetime(1969, 12, 31, 23, 30, tzinfo=tz(-1)), datetime(1970, 1, 1, 0, 30, tzinfo=UTC)),
    ("milliseconds-kept", datetime(2024, 5, 1, 12, 0, 0, 123_000, tzinfo=UTC),
     datetime(2024, 5, 1, 12, 0, 0, 123_000, tzinfo=UTC)),
    ("sub-ms-truncated-not-rounded", datetime(2024, 5, 1, 12, 0, 0, 999_600, tzinfo=UTC),
     datetime(2024, 5, 1, 12, 0, 0, 999_000, tzinfo=UTC)),
    ("half-ms-truncated", datetime(2024, 5, 1, 12, 0, 0, 500, tzinfo=UTC), datetime(2024, 5, 1, 12, tzinfo=UTC)),
    ("end-of-day-not-rolled-over", datetime(2024, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
     datetime(2024, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC)),
    ("half-second-not-rounded", datetime(2024, 5, 1, 12, 0, 0, 500_000, tzinfo=UTC),
     datetime(2024, 5, 1, 12, 0, 0, 500_000, tzinfo=UTC)),
    ("east-offset-to-utc", datetime(2024, 5, 1, 17, 30, 0, 250_000, tzinfo=tz(5, 30)),
     datetime(2024, 5, 1, 12, 0, 0, 250_000, tzinfo=UTC)),
    ("west-offset-crosses-date", datetime(2024, 5, 1, 20, tzinfo=tz(-9)), datetime(2024, 5, 2, 5, tzinfo=UTC)),
    ("after-2038", datetime(2038, 1, 19, 3, 14, 8, tzinfo=UTC), datetime(2038, 1, 19, 3, 14, 8, tzinfo=UTC)),
    ("year-2040", datetime(2040, 2, 29, 6, tzinfo=UTC), datetime(2040, 2, 29, 6, tzinfo=UTC)),
    ("last-millisecond", limits.TIME_MAX, limits.TIME_MAX),
    ("last-millisecond-with-micros", limits.TIME_MAX.replace(microsecond=999_999), limits.TIME_MAX),
]

REJECTED_TIMES: list[tuple[str, object]] = [
    ("naive", datetime(2024, 5, 1, 12)),
    ("naive-epoch", datetime(1970, 1, 1)),
    ("last-ms-before-epoch", datetime(1969, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC)),
    ("1969", datetime(1969, 6, 1, tzinfo=UTC)),
    ("before-epoch-via-east-offset", datetime(1970, 1, 1, 0, 30, tzinfo=tz(1))),
    ("year-one", datetime(1, 1, 1, tzinfo=UTC)),
    ("after-9999-via-west-offset", datetime(9999, 12, 31, 23, 0, tzinfo=tz(-2))),
    ("iso-text", "2024-05-01T12:00:00Z"),
    ("date-only", date(2024, 5, 1)),
    ("epoch-int", 1_714_564_800),
]


@pytest.mark.parametrize("sink", TIME_SINKS, ids=TIME_SINK_IDS)
def test_timestamps_come_back_utc_truncated_to_ms(fresh: Callable[[], Adapter], sink: TimeSink) -> None:
    """Every accepted instant: written and read back in UTC, truncated (never rounded) to the millisecond."""

    def check(case: tuple[str, datetime, datetime]) -> None:
        label, given, expected = case
        adapter = fresh()
        returned, read = sink.store(adapter, sink.prepare(adapter), given)
        assert returned == expected, f"{label}: write returned {returned!r}"
        assert read == expected, f"{label}: read back {read!r}"
        assert returned is not None
        assert read is not None
        assert is_utc(returned), f"write returned {returned!r}, not in UTC"
        assert is_utc(read), f"read back {read!r}, not in UTC"
        assert (returned.year, returned.month, returned.day, returned.hour, returned.microsecond) == (
            expected.year, expected.month, expected.day, expected.hour, expected.microsecond)

    check_each(ACCEPTED_TIMES, check, lambda case: case[0])


@pytest.mark.parametrize("sink", TIME_SINKS, ids=TIME_SINK_IDS)
def test_out_of_domain_timestamps_are_rejected(
    fresh: Callable[[], Adapter], raw_snapshot: Snapshot, tally: Callable[[str, int], None], sink: TimeSink
) -> None:
    check_rejections(fresh, raw_snapshot, sink.prepare, REJECTED_TIMES,
                     lambda adapter, parent, given: sink.store(adapter, parent, given), ValidationError, sink.field,
                     tally)


def test_extreme_timestamps_order_and_window_correctly(adapter: Adapter) -> None:
    user = make_user(adapter)
    times = {
        "epoch": limits.TIME_MIN,
        "y2038": datetime(2038, 1, 19, 3, 14, 8, tzinfo=UTC),
        "y2040": datetime(2040, 1, 1, tzinfo=UTC),
        "penultimate": limits.TIME_MAX - timedelta(milliseconds=1),
        "last": limits.TIME_MAX,
        "now": T0,
    }
    for cid, ts in times.items():
        make_campaign(adapter, user.id, id=cid, created_at=ts)
    listed = [c.id for c in adapter.list_campaigns(user.id).items]
    assert listed == ["epoch", "now", "y2038", "y2040", "penultimate", "last"]
    window = adapter.list_campaigns(user.id, start=limits.TIME_MIN, end=limits.TIME_MAX)
    assert [c.id for c in window.items] == ["epoch", "now", "y2038", "y2040", "penultimate"]
    later = adapter.list_campaigns(user.id, start=datetime(2038, 1, 19, 3, 14, 8, tzinfo=UTC), limit=2)
    assert [c.id for c in later.items] == ["y2038", "y2040"]
    assert later.next_cursor is not None
    rest = adapter.list_campaigns(user.id, start=datetime(2038, 1, 19, 3, 14, 8, tzinfo=UTC), limit=2,
                                  after=later.next_cursor)
    assert [c.id for c in rest.items] == ["penultimate", "last"]


# -- amounts -----------------------------------------------------------------

ACCEPTED_AMOUNTS: list[tuple[str, Decimal | int, Decimal]] = [
    ("zero-int", 0, D(0)),
    ("zero-decimal", D("0.0000"), D(0)),
    ("negative-zero", D("-0"), D(0)),
    ("int", 42, D(42)),
    ("smallest-step", D("0.0001"), D("0.0001")),
    ("four-places", D("1.2345"), D("1.2345")),
    ("trailing-zeros-beyond-four", D("1.50000"), D("1.5")),
    ("exponent-form", D("1E+3"), D(1000)),
    ("largest", D("99999999999999.9999"), D("99999999999999.9999")),
    ("largest-int", 10**14 - 1, D(10**14 - 1)),
]

REJECTED_AMOUNTS: list[tuple[str, object]] = [
    ("five-places", D("1.23456")),
    ("five-places-tiny", D("0.00001")),
    ("five-places-rounding-up", D("0.99995")),
    ("negative", D("-0.0001")),
    ("negative-int", -1),
    ("nan", D("NaN")),
    ("signalling-nan", D("sNaN")),
    ("infinity", D("Infinity")),
    ("minus-infinity", D("-Infinity")),
    ("float", 1.5),
    ("float-whole", 2.0),
    ("true", True),
    ("false", False),
    ("text", "1.5"),
    ("none", None),
    ("ten-to-fourteen", D(10) ** 14),
    ("ten-to-fourteen-int", 10**14),
    ("ten-to-fourteen-with-places", D("100000000000000.0000")),
    ("far-too-large", D("1E+30")),
]


@pytest.mark.parametrize("field", ["tokens_used", "cost"])
def test_amounts_in_domain_are_stored_exactly(fresh: Callable[[], Adapter], field: str) -> None:
    """Every accepted amount: stored, listed and summed exactly, as a Decimal, never as -0."""

    def check(case: tuple[str, Decimal | int, Decimal]) -> None:
        label, given, expected = case
        adapter = fresh()
        client = make_client(adapter)
        amounts: dict[str, Any] = {"tokens_used": 7, "cost": 7, field: given}
        entry = adapter.record_usage(client.id, timestamp=T0, **amounts)
        assert getattr(entry, field) == expected, f"write returned {getattr(entry, field)!r}"
        stored = adapter.list_usage(client.id).items[0]
        assert getattr(stored, field) == expected, f"listed {getattr(stored, field)!r}"
        assert isinstance(getattr(stored, field), Decimal)
        assert not getattr(stored, field).is_signed(), f"{label}: negative zero stored"
        assert getattr(adapter.usage_totals(client.id), field) == expected

    check_each(ACCEPTED_AMOUNTS, check, lambda case: case[0])


@pytest.mark.parametrize("field", ["tokens_used", "cost"])
def test_amounts_out_of_domain_are_rejected(
    fresh: Callable[[], Adapter], raw_snapshot: Snapshot, tally: Callable[[str, int], None], field: str
) -> None:
    def attempt(adapter: Adapter, client_id: str, given: object) -> object:
        amounts: dict[str, Any] = {"tokens_used": 7, "cost": 7, field: given}
        return adapter.record_usage(client_id, timestamp=T0, **amounts)

    check_rejections(fresh, raw_snapshot, lambda adapter: make_client(adapter).id, REJECTED_AMOUNTS, attempt,
                     ValidationError, field, tally)


# -- properties --------------------------------------------------------------


@given(keys=st.lists(identifiers(max_len=limits.USER_ID_MAX), max_size=8, unique=True))
def test_distinct_keys_never_collide(fresh: Callable[[], Adapter], keys: list[str]) -> None:
    adapter = fresh()
    client = make_client(adapter, id="k")
    for key in keys:
        make_user(adapter, id=key, name=key)
        adapter.save_oauth(client.id, key, {"p": key})
    for key in keys:
        assert _read(adapter.get_user(key), "name") == key
        assert _read(adapter.get_oauth(client.id, key), "data") == {"p": key}
    assert [o.platform for o in adapter.list_oauth(client.id)] == sorted(keys)


@given(addresses=st.lists(emails(), max_size=6))
def test_email_uniqueness_holds_on_the_normalised_form(
    fresh: Callable[[], Adapter], raw_snapshot: Snapshot, addresses: list[str]
) -> None:
    adapter = fresh()
    owners: dict[str, str] = {}
    for address in addresses:
        normal = address.strip().lower()
        if normal in owners:
            assert_unchanged(raw_snapshot, lambda a=address: make_user(adapter, email=a), Conflict, "email")
        else:
            owners[normal] = make_user(adapter, email=address).id
    for address in addresses:
        found = adapter.get_user_by_email(address)
        assert found is not None
        assert (found.id, found.email) == (owners[address.strip().lower()], address.strip().lower())


@given(when=aware_datetimes(), sink=st.sampled_from(TIME_SINKS))
def test_any_aware_timestamp_comes_back_utc_truncated(
    fresh: Callable[[], Adapter], when: datetime, sink: TimeSink
) -> None:
    adapter = fresh()
    returned, read = sink.store(adapter, sink.prepare(adapter), when)
    expected = when.astimezone(UTC)
    expected = expected.replace(microsecond=expected.microsecond // 1000 * 1000)
    assert returned == read == expected
    assert read is not None
    assert is_utc(read)


@given(when=st.one_of(naive_datetimes(), out_of_range_datetimes()), sink=st.sampled_from(TIME_SINKS))
def test_any_naive_or_out_of_range_timestamp_is_rejected(
    fresh: Callable[[], Adapter], raw_snapshot: Snapshot, when: datetime, sink: TimeSink
) -> None:
    adapter = fresh()
    parent = sink.prepare(adapter)
    assert_unchanged(raw_snapshot, lambda: sink.store(adapter, parent, when), ValidationError, sink.field)


@given(tokens=amounts(), cost=amounts())
def test_any_amount_in_domain_is_stored_exactly(fresh: Callable[[], Adapter], tokens: Decimal | int,
                                                cost: Decimal | int) -> None:
    adapter = fresh()
    client = make_client(adapter)
    adapter.record_usage(client.id, timestamp=T0, tokens_used=tokens, cost=cost)
    entry = adapter.list_usage(client.id).items[0]
    assert (entry.tokens_used, entry.cost) == (D(tokens), D(cost))
    assert adapter.usage_totals(client.id) == BillingTotals(1, D(tokens), D(cost))


@given(bad=bad_amounts(), field=st.sampled_from(["tokens_used", "cost"]))
def test_any_bad_amount_is_rejected(fresh: Callable[[], Adapter], raw_snapshot: Snapshot, bad: object,
                                    field: str) -> None:
    adapter = fresh()
    client = make_client(adapter)
    amounts_: dict[str, Any] = {"tokens_used": 1, "cost": 1, field: bad}
    assert_unchanged(raw_snapshot, lambda: adapter.record_usage(client.id, timestamp=T0, **amounts_),
                     ValidationError, field)
