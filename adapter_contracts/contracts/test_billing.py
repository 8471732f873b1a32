"""Billing: append-only usage entries, ordered listings, half-open windows, exact totals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import MissingReference, ValidationError
from adapter_contracts.adapters.records import BillingTotals
from adapter_contracts.adapters.validation import check_timestamp, check_window
from adapter_contracts.contracts.support import (
    T0,
    Snapshot,
    assert_unchanged,
    collect_pages,
    is_utc,
    make_campaign,
    make_client,
    make_user,
    ms,
    raises,
)
from adapter_contracts.strategies import UsageInput, billing_streams, window_splits

D = Decimal


def costs(page: object) -> list[Decimal]:
    return [e.cost for e in page.items]  # type: ignore[attr-defined]


def test_record_returns_the_entry_and_lists_it(adapter: Adapter) -> None:
    client, admin = make_client(adapter), make_user(adapter)
    entry = adapter.record_usage(client.id, timestamp=T0 + ms(4), tokens_used=120, cost=D("0.0125"),
                                 admin_id=admin.id)
    assert (entry.client_id, entry.timestamp, entry.tokens_used, entry.cost, entry.admin_id) == (
        client.id, T0 + ms(4), D(120), D("0.0125"), admin.id)
    assert isinstance(entry.id, str)
    assert isinstance(entry.tokens_used, Decimal)
    assert isinstance(entry.cost, Decimal)
    assert is_utc(entry.timestamp)
    assert adapter.list_usage(client.id).items == (entry,)


def test_admin_is_optional(adapter: Adapter) -> None:
    client = make_client(adapter)
    entry = adapter.record_usage(client.id, timestamp=T0, tokens_used=1, cost=1)
    assert entry.admin_id is None
    assert adapter.list_usage(client.id).items == (entry,)


def test_entry_ids_are_unique(adapter: Adapter) -> None:
    client, other = make_client(adapter), make_client(adapter)
    entries = [adapter.record_usage(c.id, timestamp=T0, tokens_used=1, cost=1) for c in (client, other) * 3]
    assert len({e.id for e in entries}) == 6


@pytest.mark.parametrize(
    ("client_id", "admin_id", "field"),
    [("ghost", None, "client_id"), ("K", None, "client_id"), ("k", "ghost", "admin_id"), ("k", "U", "admin_id"),
     ("ghost", "ghost", "client_id")],
    ids=["missing-client", "client-other-case", "missing-admin", "admin-other-case", "both-missing"],
)
def test_record_with_missing_parent_is_missing_reference(
    adapter: Adapter, raw_snapshot: Snapshot, client_id: str, admin_id: str | None, field: str
) -> None:
    make_client(adapter, id="k")
    make_user(adapter, id="u")
    assert_unchanged(raw_snapshot,
                     lambda: adapter.record_usage(client_id, timestamp=T0, tokens_used=1, cost=1, admin_id=admin_id),
                     MissingReference, field)


def test_admin_must_be_a_user_not_a_client(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    make_client(adapter, id="k")
    make_client(adapter, id="only-a-client")
    assert_unchanged(raw_snapshot,
                     lambda: adapter.record_usage("k", timestamp=T0, tokens_used=1, cost=1, admin_id="only-a-client"),
                     MissingReference, "admin_id")


def test_list_orders_by_timestamp_then_insertion(adapter: Adapter) -> None:
    client = make_client(adapter)
    # Arrival order differs from time order; equal timestamps keep arrival order.
    plan = [(5, "0.5"), (0, "0.01"), (5, "0.3"), (0, "0.02"), (5, "0.9"), (-3, "7"), (5, "0.1")]
    for offset, cost in plan:
        adapter.record_usage(client.id, timestamp=T0 + ms(offset), tokens_used=1, cost=D(cost))
    expected = [D(c) for c in ("7", "0.01", "0.02", "0.5", "0.3", "0.9", "0.1")]
    page = adapter.list_usage(client.id)
    assert costs(page) == expected
    assert page.next_cursor is None


def test_list_holds_only_this_clients_entries(adapter: Adapter) -> None:
    mine, other = make_client(adapter, id="k"), make_client(adapter, id="K")
    entry = adapter.record_usage(mine.id, timestamp=T0, tokens_used=1, cost=1)
    adapter.record_usage(other.id, timestamp=T0, tokens_used=2, cost=2)
    assert adapter.list_usage("k").items == (entry,)
    assert adapter.list_usage("ghost").items == ()
    assert adapter.list_usage("ghost", limit=1).next_cursor is None


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 6, 7])
def test_paging_over_equal_timestamps_neither_skips_nor_repeats(adapter: Adapter, limit: int) -> None:
    client = make_client(adapter)
    for i in range(6):
        adapter.record_usage(client.id, timestamp=T0, tokens_used=i, cost=D(i) / 10)
    paged = collect_pages(lambda **kw: adapter.list_usage(client.id, **kw), limit)
    assert [e.tokens_used for e in paged] == [D(i) for i in range(6)]
    assert paged == list(adapter.list_usage(client.id).items)


def test_cursor_is_a_keyset_position(adapter: Adapter) -> None:
    client = make_client(adapter)
    for i in range(4):
        adapter.record_usage(client.id, timestamp=T0 + ms(i), tokens_used=i, cost=0)
    first = adapter.list_usage(client.id, limit=2)
    adapter.record_usage(client.id, timestamp=T0 - ms(1), tokens_used=99, cost=0)  # before the cursor
    adapter.record_usage(client.id, timestamp=T0 + ms(1), tokens_used=98, cost=0)  # ties the cursor, later seq
    second = adapter.list_usage(client.id, limit=10, after=first.next_cursor)
    assert [e.tokens_used for e in second.items] == [D(98), D(2), D(3)]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (T0, T0 + ms(10), ["0", "1", "9"]),
        (T0, None, ["0", "1", "9", "10", "11"]),
        (None, T0 + ms(10), ["-1", "0", "1", "9"]),
        (T0 + ms(10), T0 + ms(10), []),
        (T0 + ms(9), T0 + ms(10), ["9"]),
    ],
    ids=["half-open", "start-only", "end-only", "empty", "one-ms"],
)
def test_window_is_half_open(adapter: Adapter, start: object, end: object, expected: list[str]) -> None:
    client = make_client(adapter)
    for offset in (11, -1, 9, 0, 10, 1):
        adapter.record_usage(client.id, timestamp=T0 + ms(offset), tokens_used=offset + 1, cost=0)
    page = adapter.list_usage(client.id, start=start, end=end)  # type: ignore[arg-type]
    assert [int(e.tokens_used) - 1 for e in page.items] == [int(x) for x in expected]
    totals = adapter.usage_totals(client.id, start=start, end=end)  # type: ignore[arg-type]
    assert totals.count == len(expected)
    assert totals.tokens_used == sum(D(int(x) + 1) for x in expected)


def test_paging_inside_a_window(adapter: Adapter) -> None:
    client = make_client(adapter)
    for offset in (3, 0, 1, 1, 2, 5, 1):
        adapter.record_usage(client.id, timestamp=T0 + ms(offset), tokens_used=offset, cost=0)
    paged = collect_pages(lambda **kw: adapter.list_usage(client.id, start=T0 + ms(1), end=T0 + ms(5), **kw), 2)
    assert [int(e.tokens_used) for e in paged] == [1, 1, 1, 2, 3]


def test_totals_are_exact_decimal_sums(adapter: Adapter) -> None:
    client = make_client(adapter)
    for _ in range(10):
        adapter.record_usage(client.id, timestamp=T0, tokens_used=D("0.1"), cost=D("0.1"))
    totals = adapter.usage_totals(client.id)
    assert totals == BillingTotals(10, D(1), D(1))
    assert isinstance(totals.cost, Decimal)
    assert isinstance(totals.count, int)


def test_totals_beyond_double_precision_are_exact(adapter: Adapter) -> None:
    client = make_client(adapter)
    big = D("99999999999999.9999")
    for amount in (big, big, D("0.0001"), D("0.0003")):
        adapter.record_usage(client.id, timestamp=T0, tokens_used=amount, cost=amount)
    totals = adapter.usage_totals(client.id)
    assert totals.tokens_used == D("200000000000000.0002")
    assert totals.cost == D("200000000000000.0002")
    assert totals.count == 4


def test_tiny_amounts_add_up(adapter: Adapter) -> None:
    client = make_client(adapter)
    for _ in range(3):
        adapter.record_usage(client.id, timestamp=T0, tokens_used=D("0.0001"), cost=D("0.0001"))
    assert adapter.usage_totals(client.id) == BillingTotals(3, D("0.0003"), D("0.0003"))


def test_empty_window_totals_zero(adapter: Adapter) -> None:
    client = make_client(adapter)
    adapter.record_usage(client.id, timestamp=T0, tokens_used=5, cost=5)
    for totals in (
        adapter.usage_totals(client.id, start=T0 + ms(1)),
        adapter.usage_totals(client.id, end=T0),
        adapter.usage_totals(client.id, start=T0, end=T0),
        adapter.usage_totals("ghost"),
        adapter.usage_totals(make_client(adapter).id),
    ):
        assert totals == BillingTotals(0, D(0), D(0))
        assert isinstance(totals.tokens_used, Decimal)
        assert isinstance(totals.cost, Decimal)


def test_totals_are_per_client(adapter: Adapter) -> None:
    one, two = make_client(adapter, id="k"), make_client(adapter, id="K")
    adapter.record_usage(one.id, timestamp=T0, tokens_used=1, cost=D("1.5"))
    adapter.record_usage(two.id, timestamp=T0, tokens_used=2, cost=D("2.5"))
    assert adapter.usage_totals("k") == BillingTotals(1, D(1), D("1.5"))
    assert adapter.usage_totals("K") == BillingTotals(1, D(2), D("2.5"))


def test_amounts_round_trip_exactly(adapter: Adapter) -> None:
    client = make_client(adapter)
    values = [D(0), D("0.0001"), D("1.2345"), D("99999999999999.9999"), D(10**13)]
    for value in values:
        adapter.record_usage(client.id, timestamp=T0, tokens_used=value, cost=value)
    listed = adapter.list_usage(client.id).items
    assert [e.tokens_used for e in listed] == values
    assert [e.cost for e in listed] == values


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"start": T0.replace(tzinfo=None)}, "start"),
        ({"end": T0.replace(tzinfo=None)}, "end"),
        ({"start": T0 + ms(1), "end": T0}, "end"),
        ({"after": "k1.xyz"}, "after"),
    ],
    ids=["limit-0", "limit-1001", "naive-start", "naive-end", "reversed-window", "garbage-cursor"],
)
def test_invalid_listing_arguments(adapter: Adapter, kwargs: dict[str, object], field: str) -> None:
    client = make_client(adapter)
    adapter.record_usage(client.id, timestamp=T0, tokens_used=1, cost=1)
    raises(ValidationError, field, lambda: adapter.list_usage(client.id, **kwargs))  # type: ignore[arg-type]
    totals_kwargs = {k: v for k, v in kwargs.items() if k in ("start", "end")}
    if totals_kwargs:
        raises(ValidationError, field, lambda: adapter.usage_totals(client.id, **totals_kwargs))  # type: ignore[arg-type]


def test_campaign_and_client_cursors_are_rejected(adapter: Adapter) -> None:
    client = make_client(adapter)
    make_client(adapter)
    user = make_user(adapter)
    for _ in range(2):
        adapter.record_usage(client.id, timestamp=T0, tokens_used=1, cost=1)
        make_campaign(adapter, user.id)
    for cursor in (adapter.list_campaigns(user.id, limit=1).next_cursor, adapter.list_clients(limit=1).next_cursor):
        assert cursor is not None
        raises(ValidationError, "after", lambda c=cursor: adapter.list_usage(client.id, limit=1, after=c))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"timestamp": T0.replace(tzinfo=None)}, "timestamp"),
        ({"tokens_used": 1.5}, "tokens_used"),
        ({"cost": D("0.00001")}, "cost"),
        ({"admin_id": ""}, "admin_id"),
        ({"timestamp": None, "tokens_used": -1, "cost": -1}, "timestamp"),
        ({"tokens_used": -1, "cost": D("NaN")}, "tokens_used"),
        ({"cost": -1, "admin_id": ""}, "cost"),
    ],
    ids=["naive-timestamp", "float-tokens", "five-places", "empty-admin", "first-invalid-timestamp",
         "first-invalid-tokens", "first-invalid-cost"],
)
def test_invalid_entry_is_rejected_before_references(
    adapter: Adapter, raw_snapshot: Snapshot, kwargs: dict[str, object], field: str
) -> None:
    client = make_client(adapter)
    base: dict[str, object] = {"timestamp": T0, "tokens_used": 1, "cost": 1, **kwargs}
    for client_id in (client.id, "ghost"):
        assert_unchanged(raw_snapshot, lambda c=client_id: adapter.record_usage(c, **base),  # type: ignore[arg-type]
                         ValidationError, field)


# -- properties --------------------------------------------------------------


def _record_stream(adapter: Adapter, stream: list[UsageInput]) -> str:
    client = make_client(adapter)
    for usage in stream:
        adapter.record_usage(client.id, timestamp=usage.timestamp, tokens_used=usage.tokens_used, cost=usage.cost)
    return client.id


def _model_totals(stream: list[UsageInput], start: datetime, end: datetime) -> BillingTotals:
    lo, hi = check_window(start, end)
    chosen = [u for u in stream if _inside(check_timestamp(u.timestamp, field="timestamp"), lo, hi)]
    return BillingTotals(len(chosen), sum((u.tokens_used for u in chosen), D(0)), sum((u.cost for u in chosen), D(0)))


def _inside(ts: datetime, lo: datetime | None, hi: datetime | None) -> bool:
    return (lo is None or lo <= ts) and (hi is None or ts < hi)


def _points(stream: list[UsageInput]) -> list[datetime] | None:
    return [u.timestamp for u in stream] or None


# Additivity over splits and paging equivalence are in test_billing_properties.py.
@given(stream=billing_streams(max_size=30), data=st.data())
def test_listing_a_window_equals_filtering_the_full_listing(
    fresh: Callable[[], Adapter], stream: list[UsageInput], data: st.DataObject
) -> None:
    adapter = fresh()
    client_id = _record_stream(adapter, stream)
    full = adapter.list_usage(client_id).items
    # Arrival order breaks timestamp ties.
    expected_order = sorted(range(len(stream)),
                            key=lambda i: (check_timestamp(stream[i].timestamp, field="timestamp"), i))
    assert [(e.tokens_used, e.cost) for e in full] == [
        (stream[i].tokens_used, stream[i].cost) for i in expected_order]
    a, _, c = data.draw(window_splits(points=_points(stream)), label="a, _, c")
    lo, hi = check_window(a, c)
    window = adapter.list_usage(client_id, start=a, end=c)
    assert list(window.items) == [e for e in full if _inside(e.timestamp, lo, hi)]
    assert window.next_cursor is None
    assert adapter.usage_totals(client_id, start=a, end=c) == _model_totals(stream, a, c) == BillingTotals(
        len(window.items), sum((e.tokens_used for e in window.items), D(0)), sum((e.cost for e in window.items), D(0)))
