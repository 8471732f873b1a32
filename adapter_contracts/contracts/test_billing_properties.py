"""Properties of billing streams: totals add up over any split, ignore arrival order,
and paging returns exactly the one-shot listing in (timestamp, insertion) order."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.records import BillingEntry, BillingTotals
from adapter_contracts.strategies import UsageInput, billing_streams, window_splits

pytestmark = pytest.mark.heavy

CLIENT = "client-1"


def _load(adapter: Adapter, stream: list[UsageInput]) -> list[BillingEntry]:
    adapter.create_client(payload={}, id=CLIENT)
    return [
        adapter.record_usage(CLIENT, timestamp=u.timestamp, tokens_used=u.tokens_used, cost=u.cost)
        for u in stream
    ]


def _key(totals: BillingTotals) -> tuple[int, Decimal, Decimal]:
    return totals.count, totals.tokens_used, totals.cost


def _without_id(entry: BillingEntry) -> tuple[object, ...]:
    return entry.client_id, entry.timestamp, entry.tokens_used, entry.cost, entry.admin_id


@given(data=st.data(), stream=billing_streams())
def test_totals_are_additive_over_any_split(fresh: Callable[[], Adapter], data: st.DataObject,
                                            stream: list[UsageInput]) -> None:
    adapter = fresh()
    _load(adapter, stream)
    a, b, c = data.draw(window_splits(points=[u.timestamp for u in stream]), label="a <= b <= c")
    left = adapter.usage_totals(CLIENT, start=a, end=b)
    right = adapter.usage_totals(CLIENT, start=b, end=c)
    whole = adapter.usage_totals(CLIENT, start=a, end=c)
    assert _key(whole) == (left.count + right.count, left.tokens_used + right.tokens_used, left.cost + right.cost)
    listed = adapter.list_usage(CLIENT, start=a, end=c).items
    assert _key(whole) == (
        len(listed),
        sum((e.tokens_used for e in listed), Decimal(0)),
        sum((e.cost for e in listed), Decimal(0)),
    )


@given(data=st.data(), stream=billing_streams())
def test_totals_ignore_arrival_order(fresh: Callable[[], Adapter], data: st.DataObject,
                                     stream: list[UsageInput]) -> None:
    shuffled = data.draw(st.permutations(stream), label="arrival order")
    a, _, c = data.draw(window_splits(points=[u.timestamp for u in stream]), label="window")
    adapter = fresh()
    _load(adapter, stream)
    windows = [(None, None), (a, c)]
    first = [_key(adapter.usage_totals(CLIENT, start=lo, end=hi)) for lo, hi in windows]
    adapter = fresh()
    _load(adapter, shuffled)
    second = [_key(adapter.usage_totals(CLIENT, start=lo, end=hi)) for lo, hi in windows]
    assert first == second
    assert first[0] == (
        len(stream),
        sum((u.tokens_used for u in stream), Decimal(0)),
        sum((u.cost for u in stream), Decimal(0)),
    )


@given(data=st.data(), stream=billing_streams(max_size=30), limit=st.integers(1, 7))
def test_paging_equals_listing_at_once(fresh: Callable[[], Adapter], data: st.DataObject,
                                       stream: list[UsageInput], limit: int) -> None:
    adapter = fresh()
    _load(adapter, stream)
    a, _, c = data.draw(window_splits(points=[u.timestamp for u in stream]), label="window")
    for lo, hi in ((None, None), (a, c)):
        whole = adapter.list_usage(CLIENT, start=lo, end=hi)
        assert whole.next_cursor is None
        paged: list[BillingEntry] = []
        page = adapter.list_usage(CLIENT, start=lo, end=hi, limit=limit)
        while True:
            assert len(page.items) <= limit
            paged.extend(page.items)
            if page.next_cursor is None:
                break
            assert len(page.items) == limit, "a page before the last must be full"
            page = adapter.list_usage(CLIENT, start=lo, end=hi, limit=limit, after=page.next_cursor)
        assert paged == list(whole.items)


@given(stream=billing_streams(min_size=1))
def test_equal_timestamps_keep_insertion_order(fresh: Callable[[], Adapter], stream: list[UsageInput]) -> None:
    adapter = fresh()
    recorded = _load(adapter, stream)
    listed = list(adapter.list_usage(CLIENT).items)
    # The stable sort of the recorded entries by timestamp is exactly (timestamp, insertion order).
    expected = sorted(recorded, key=lambda e: e.timestamp)
    assert [_without_id(e) for e in listed] == [_without_id(e) for e in expected]
    assert [e.id for e in listed] == [e.id for e in expected]
