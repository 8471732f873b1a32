"""Cascades: deleting a user or client removes exactly its dependent rows, in every table."""

from __future__ import annotations

from decimal import Decimal

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.records import BillingTotals
from adapter_contracts.contracts.explain import short
from adapter_contracts.contracts.support import T0, Rows, Snapshot, make_campaign, make_client, make_user, ms

#: Rows listed per table in a cascade failure.
ROWS_SHOWN = 4


def removed(before: Rows, after: Rows) -> dict[str, int]:
    """Rows removed per table, for the tables that changed (snapshots may hold extra bookkeeping tables)."""
    return {t: len(before[t]) - len(after.get(t, [])) for t in before if len(before[t]) != len(after.get(t, []))}


def expect_removed(before: Rows, after: Rows, expected: dict[str, int], call: str) -> None:
    """``call`` removed exactly ``expected`` rows per table; otherwise say, per table that is off,
    how many it removed against the reference and which rows it left behind or took too many."""
    __tracebackhide__ = True  # the failure is the caller's line, not this helper's
    seen = removed(before, after)
    if seen == expected:
        return
    lines = [f"{call}: rows removed per table", f"adapter:   {seen}", f"reference: {expected}"]
    for table in sorted(set(seen) | set(expected)):
        got, want = seen.get(table, 0), expected.get(table, 0)
        if got == want:
            continue
        kept = [row for row in before.get(table, []) if row in after.get(table, [])]
        gone = [row for row in before.get(table, []) if row not in after.get(table, [])]
        rows = kept if got < want else gone
        lines.append(f"  {table}: adapter removed {got}, reference removes {want}; "
                     f"{'rows the table still holds' if got < want else 'rows it removed'} ({len(rows)}):")
        lines += [f"    {short(row, 160)}" for row in rows[:ROWS_SHOWN]]
        if len(rows) > ROWS_SHOWN:
            lines.append(f"    ... {len(rows) - ROWS_SHOWN} more")
    raise AssertionError("\n".join(lines))


def _populate_user(adapter: Adapter, user_id: str, client_id: str) -> None:
    make_user(adapter, id=user_id)
    adapter.save_user_setup(user_id, is_setup_complete=True, setup_data={"u": user_id})
    adapter.save_user_workspace(user_id, {"u": user_id})
    adapter.save_integration(user_id, "ads", "google", {"u": user_id})
    adapter.save_integration(user_id, "mail", "smtp", {"u": user_id})
    make_campaign(adapter, user_id, id=f"camp-{user_id}-1")
    make_campaign(adapter, user_id, id=f"camp-{user_id}-2")
    adapter.link_admin(user_id, client_id)


def test_deleting_a_user_removes_its_rows_in_every_table(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    client = make_client(adapter, id="k")
    _populate_user(adapter, "u", client.id)
    _populate_user(adapter, "U", client.id)  # differs only by case: must survive
    adapter.save_client_campaign("cc", client_id=client.id, payload={})
    adapter.save_oauth(client.id, "meta", {})
    before = raw_snapshot()
    assert adapter.delete_user("u") is True
    after = raw_snapshot()
    expect_removed(before, after, {
        "users": 1, "user_setup": 1, "user_workspace": 1, "user_integrations": 2, "campaigns": 2, "admin_clients": 1,
    }, "delete_user('u')")
    assert adapter.get_user_setup("u") is None
    assert adapter.get_user_workspace("u") is None
    assert adapter.list_integrations("u") == []
    assert adapter.list_campaigns("u").items == ()
    assert adapter.get_campaign("camp-u-1") is None
    assert adapter.list_admin_clients("u") == []
    assert adapter.list_client_admins("k") == ["U"]
    assert adapter.get_user_setup("U") is not None
    assert len(adapter.list_campaigns("U").items) == 2


def test_deleting_an_admin_keeps_billing_with_admin_cleared(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    client, admin, other = make_client(adapter), make_user(adapter), make_user(adapter)
    adapter.record_usage(client.id, timestamp=T0, tokens_used=10, cost=Decimal("1.5"), admin_id=admin.id)
    adapter.record_usage(client.id, timestamp=T0 + ms(1), tokens_used=20, cost=Decimal("2.5"), admin_id=other.id)
    adapter.record_usage(client.id, timestamp=T0 + ms(2), tokens_used=30, cost=Decimal("3.5"))
    before = adapter.list_usage(client.id).items
    totals = adapter.usage_totals(client.id)
    rows = len(raw_snapshot()["client_billing"])
    adapter.delete_user(admin.id)
    after = adapter.list_usage(client.id).items
    assert [e.admin_id for e in after] == [None, other.id, None]
    assert [(e.id, e.timestamp, e.tokens_used, e.cost) for e in after] == [
        (e.id, e.timestamp, e.tokens_used, e.cost) for e in before]
    assert adapter.usage_totals(client.id) == totals == BillingTotals(3, Decimal(60), Decimal("7.5"))
    assert len(raw_snapshot()["client_billing"]) == rows


def test_a_recreated_user_inherits_nothing(adapter: Adapter) -> None:
    client = make_client(adapter)
    _populate_user(adapter, "u", client.id)
    adapter.record_usage(client.id, timestamp=T0, tokens_used=1, cost=1, admin_id="u")
    adapter.delete_user("u")
    make_user(adapter, id="u")
    assert adapter.get_user_setup("u") is None
    assert adapter.get_user_workspace("u") is None
    assert adapter.list_integrations("u") == []
    assert adapter.list_campaigns("u").items == ()
    assert adapter.list_admin_clients("u") == []
    assert [e.admin_id for e in adapter.list_usage(client.id).items] == [None]
    assert adapter.link_admin("u", client.id) is True


def _populate_client(adapter: Adapter, client_id: str, admin_id: str) -> None:
    make_client(adapter, id=client_id)
    adapter.link_admin(admin_id, client_id)
    adapter.save_oauth(client_id, "meta", {"c": client_id})
    adapter.save_oauth(client_id, "google", {"c": client_id})
    adapter.save_client_campaign(f"cc-{client_id}-1", client_id=client_id, payload={})
    adapter.save_client_campaign(f"cc-{client_id}-2", client_id=client_id, payload={})
    for i in range(3):
        adapter.record_usage(client_id, timestamp=T0 + ms(i), tokens_used=1, cost=1, admin_id=admin_id)


def test_deleting_a_client_removes_its_rows_in_every_table(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    admin = make_user(adapter, id="a")
    adapter.save_user_setup(admin.id, is_setup_complete=False)
    make_campaign(adapter, admin.id)
    _populate_client(adapter, "k", admin.id)
    _populate_client(adapter, "K", admin.id)  # differs only by case: must survive
    before = raw_snapshot()
    assert adapter.delete_client("k") is True
    after = raw_snapshot()
    expect_removed(before, after, {
        "clients": 1, "admin_clients": 1, "client_oauth": 2, "client_campaigns": 2, "client_billing": 3,
    }, "delete_client('k')")
    assert adapter.list_oauth("k") == []
    assert adapter.list_client_campaigns("k") == []
    assert adapter.get_client_campaign("cc-k-1") is None
    assert adapter.list_client_admins("k") == []
    assert adapter.list_admin_clients(admin.id) == ["K"]
    assert adapter.list_usage("k").items == ()
    assert adapter.usage_totals("k") == BillingTotals(0, Decimal(0), Decimal(0))
    assert adapter.usage_totals("K").count == 3
    assert len(adapter.list_oauth("K")) == 2


def test_a_recreated_client_inherits_nothing(adapter: Adapter) -> None:
    admin = make_user(adapter)
    _populate_client(adapter, "k", admin.id)
    adapter.delete_client("k")
    make_client(adapter, id="k")
    assert adapter.list_oauth("k") == []
    assert adapter.list_client_campaigns("k") == []
    assert adapter.list_client_admins("k") == []
    assert adapter.list_usage("k").items == ()
    assert adapter.usage_totals("k") == BillingTotals(0, Decimal(0), Decimal(0))
    assert adapter.link_admin(admin.id, "k") is True


def test_deleting_missing_parents_changes_nothing(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    admin = make_user(adapter, id="a")
    _populate_client(adapter, "k", admin.id)
    before = raw_snapshot()
    assert adapter.delete_user("A") is False
    assert adapter.delete_client("K") is False
    assert adapter.delete_client("k ") is False
    assert raw_snapshot() == before


def test_deleting_a_campaign_touches_nothing_else(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    client = make_client(adapter)
    _populate_user(adapter, "u", client.id)
    adapter.save_client_campaign("camp-u-1", client_id=client.id, payload={})  # same id, other table
    before = raw_snapshot()
    assert adapter.delete_campaign("camp-u-1") is True
    after = raw_snapshot()
    expect_removed(before, after, {"campaigns": 1}, "delete_campaign('camp-u-1')")
    assert adapter.get_client_campaign("camp-u-1") is not None
