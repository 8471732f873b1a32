"""Batch billing ingest (optional capability ``usage_batch``): atomic, ordered, validated first."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import MissingReference, ValidationError
from adapter_contracts.adapters.records import UsageInput
from adapter_contracts.contracts.support import T0, Snapshot, assert_unchanged, make_client, make_user, ms

pytestmark = pytest.mark.capability("usage_batch")


def test_batch_appends_in_order_and_sums_exactly(adapter: Adapter) -> None:
    client = make_client(adapter)
    admin = make_user(adapter)
    batch = [UsageInput(T0 + ms(n % 3), Decimal("0.1"), Decimal("0.0001") * n, admin.id if n % 2 else None)
             for n in range(30)]
    written = adapter.record_usage_batch(client.id, batch)
    assert [(e.timestamp, e.tokens_used, e.cost, e.admin_id) for e in written] == [
        (b.timestamp, b.tokens_used, b.cost, b.admin_id) for b in batch
    ]
    listed = adapter.list_usage(client.id).items
    # Ordered by timestamp, and by batch position among equal timestamps.
    expected = sorted(range(30), key=lambda n: (n % 3, n))
    assert [e.cost for e in listed] == [Decimal("0.0001") * n for n in expected]
    totals = adapter.usage_totals(client.id)
    assert (totals.count, totals.tokens_used, totals.cost) == (30, Decimal(3), Decimal("0.0435"))


def test_batch_interleaves_with_single_appends_in_insertion_order(adapter: Adapter) -> None:
    client = make_client(adapter)
    adapter.record_usage(client.id, timestamp=T0, tokens_used=1, cost=0)
    adapter.record_usage_batch(client.id, [UsageInput(T0, 2, 0), UsageInput(T0, 3, 0)])
    adapter.record_usage(client.id, timestamp=T0, tokens_used=4, cost=0)
    assert [e.tokens_used for e in adapter.list_usage(client.id).items] == [1, 2, 3, 4]


def test_empty_batch_writes_nothing(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    client = make_client(adapter)
    before = raw_snapshot()
    assert adapter.record_usage_batch(client.id, []) == []
    assert raw_snapshot() == before


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (UsageInput(T0, Decimal("0.00001"), 1), "entries[2].tokens_used"),
        (UsageInput(T0, 1, -1), "entries[2].cost"),
        (UsageInput(T0.replace(tzinfo=None), 1, 1), "entries[2].timestamp"),
        (UsageInput(T0, 1, 1, "x" * 37), "entries[2].admin_id"),
    ],
    ids=["five-places", "negative-cost", "naive-time", "long-admin"],
)
def test_one_bad_entry_rejects_the_whole_batch(adapter: Adapter, raw_snapshot: Snapshot, bad: UsageInput,
                                               field: str) -> None:
    client = make_client(adapter)
    batch = [UsageInput(T0, 1, 1), UsageInput(T0, 1, 1), bad, UsageInput(T0, 1, 1)]
    assert_unchanged(raw_snapshot, lambda: adapter.record_usage_batch(client.id, batch), ValidationError, field)


def test_missing_admin_rejects_the_whole_batch(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    client = make_client(adapter)
    batch = [UsageInput(T0, 1, 1), UsageInput(T0, 1, 1, "ghost")]
    assert_unchanged(raw_snapshot, lambda: adapter.record_usage_batch(client.id, batch),
                     MissingReference, "entries[1].admin_id")


def test_missing_client_rejects_the_batch(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    assert_unchanged(raw_snapshot, lambda: adapter.record_usage_batch("ghost", [UsageInput(T0, 1, 1)]),
                     MissingReference, "client_id")


def test_batch_must_be_a_sequence_of_usage_inputs(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    client = make_client(adapter)
    assert_unchanged(raw_snapshot, lambda: adapter.record_usage_batch(client.id, [(T0, 1, 1)]),  # type: ignore[list-item]
                     ValidationError, "entries[0]")
