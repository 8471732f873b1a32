"""Visibility across instances, durability across reopen, and recovery after refused operations."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import AdapterError, Conflict, MissingReference, NotFound, ValidationError
from adapter_contracts.adapters.records import BillingTotals
from adapter_contracts.contracts.support import T0, Snapshot, make_campaign, make_client, make_user, ms
from adapter_contracts.harness.session import StartedEngine


def test_second_instance_sees_writes_at_once(adapter: Adapter, second_adapter: Adapter) -> None:
    # Read first, so a reader stuck in one snapshot (REPEATABLE READ without commit) is caught.
    assert second_adapter.get_user("u1") is None
    assert second_adapter.list_clients().items == ()
    user = make_user(adapter, id="u1", email="ann@example.com")
    assert second_adapter.get_user("u1") == user
    assert second_adapter.get_user_by_email("ANN@example.com") == user
    client = make_client(adapter, id="k1")
    assert second_adapter.list_clients().items == (client,)
    adapter.record_usage(client.id, timestamp=T0, tokens_used=2, cost=Decimal("0.5"))
    assert second_adapter.usage_totals(client.id) == BillingTotals(1, Decimal(2), Decimal("0.5"))
    adapter.update_user("u1", name="Ann")
    got = second_adapter.get_user("u1")
    assert got is not None
    assert got.name == "Ann"
    adapter.delete_client("k1")
    assert second_adapter.get_client("k1") is None
    assert second_adapter.usage_totals("k1").count == 0


def test_writes_flow_both_ways(adapter: Adapter, second_adapter: Adapter) -> None:
    user = make_user(second_adapter, id="u1")
    assert adapter.get_user("u1") == user
    campaign = make_campaign(adapter, user.id, id="c1", created_at=T0)
    assert second_adapter.list_campaigns(user.id).items == (campaign,)
    assert second_adapter.delete_campaign("c1") is True
    assert adapter.get_campaign("c1") is None
    assert adapter.list_campaigns(user.id).items == ()


def test_uniqueness_holds_across_instances(adapter: Adapter, second_adapter: Adapter, raw_snapshot: Snapshot) -> None:
    make_user(adapter, id="u1", email="ann@example.com")
    before = raw_snapshot()
    with pytest.raises(Conflict):
        make_user(second_adapter, id="u2", email="Ann@Example.com")
    with pytest.raises(Conflict):
        make_user(second_adapter, id="u1")
    assert raw_snapshot() == before


def test_a_reopened_instance_keeps_the_data(engine: StartedEngine, adapter: Adapter) -> None:
    writer = engine.new_adapter()
    try:
        user = make_user(writer, id="u1")
        client = make_client(writer, id="k1", payload={"v": 1})
        writer.link_admin(user.id, client.id)
        entry = writer.record_usage(client.id, timestamp=T0, tokens_used=1, cost=1, admin_id=user.id)
    finally:
        writer.close()
    with engine.new_adapter() as reader:
        assert reader.get_user("u1") == user
        assert reader.get_client("k1") == client
        assert reader.list_admin_clients("u1") == ["k1"]
        assert reader.list_usage("k1").items == (entry,)
    assert adapter.get_user("u1") == user


def test_create_schema_is_repeatable_and_keeps_data(adapter: Adapter) -> None:
    user = make_user(adapter, id="u1")
    adapter.create_schema()
    adapter.create_schema()
    assert adapter.get_user("u1") == user
    make_user(adapter, id="u2")
    assert adapter.get_user("u2") is not None


def _refusals(adapter: Adapter) -> list[tuple[type[AdapterError], object]]:
    """Run one refused call of each kind; return what was raised."""
    make_user(adapter, id="u1", email="ann@example.com")
    make_client(adapter, id="k1")
    seen: list[tuple[type[AdapterError], object]] = []
    attempts = [
        lambda: make_user(adapter, id="u2", email="ann@example.com"),
        lambda: make_user(adapter, id="u1"),
        lambda: adapter.save_oauth("ghost", "meta", {}),
        lambda: adapter.record_usage("k1", timestamp=T0, tokens_used=1, cost=1, admin_id="ghost"),
        lambda: adapter.update_client("ghost", {}),
        lambda: adapter.create_campaign(user_id="u1", payload={"x": float("nan")}),
        lambda: adapter.list_campaigns("u1", limit=1, after="k1.garbage"),
    ]
    for attempt in attempts:
        with pytest.raises(AdapterError) as info:
            attempt()
        seen.append((type(info.value), getattr(info.value, "field", None)))
    return seen


def test_the_instance_works_after_each_kind_of_refusal(adapter: Adapter, second_adapter: Adapter) -> None:
    # A SQL adapter that leaves its transaction aborted after an error fails the next call here.
    assert _refusals(adapter) == [
        (Conflict, "email"), (Conflict, "id"), (MissingReference, "client_id"), (MissingReference, "admin_id"),
        (NotFound, None), (ValidationError, "payload"), (ValidationError, "after"),
    ]
    user = make_user(adapter, id="u3")
    campaign = make_campaign(adapter, user.id, created_at=T0 + ms(1))
    assert second_adapter.get_user("u3") == user
    assert second_adapter.get_campaign(campaign.id) == campaign
    assert adapter.list_campaigns(user.id).items == (campaign,)


def test_a_refused_call_does_not_hold_back_earlier_writes(adapter: Adapter, second_adapter: Adapter) -> None:
    user = make_user(adapter, id="u1")
    with pytest.raises(MissingReference):
        adapter.save_user_workspace("ghost", {})
    assert second_adapter.get_user("u1") == user
    adapter.save_user_workspace(user.id, {"w": 1})
    got = second_adapter.get_user_workspace(user.id)
    assert got is not None
    assert got.workspace == {"w": 1}
