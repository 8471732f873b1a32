"""Client campaigns: upsert by id (owner and payload replaced), listed by id in code points."""

from __future__ import annotations

import pytest

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import MissingReference, ValidationError
from adapter_contracts.contracts.support import (
    CODE_POINT_ORDER,
    CODE_POINT_SHUFFLED,
    Snapshot,
    assert_unchanged,
    make_client,
)


def test_save_and_get(adapter: Adapter) -> None:
    client = make_client(adapter)
    saved = adapter.save_client_campaign("cc1", client_id=client.id, payload={"budget": 10})
    assert (saved.id, saved.client_id, saved.payload) == ("cc1", client.id, {"budget": 10})
    assert adapter.get_client_campaign("cc1") == saved
    assert adapter.get_client_campaign("cc2") is None


def test_upsert_replaces_payload_without_duplicating(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    client = make_client(adapter)
    adapter.save_client_campaign("cc1", client_id=client.id, payload={"a": 1, "b": 2})
    second = adapter.save_client_campaign("cc1", client_id=client.id, payload={"b": 3})
    assert second.payload == {"b": 3}
    assert adapter.get_client_campaign("cc1") == second
    assert adapter.list_client_campaigns(client.id) == [second]
    assert len(raw_snapshot()["client_campaigns"]) == 1


def test_upsert_can_move_a_campaign_to_another_client(adapter: Adapter) -> None:
    one, two = make_client(adapter), make_client(adapter)
    adapter.save_client_campaign("cc1", client_id=one.id, payload={"v": 1})
    moved = adapter.save_client_campaign("cc1", client_id=two.id, payload={"v": 2})
    assert moved.client_id == two.id
    assert adapter.list_client_campaigns(one.id) == []
    assert adapter.list_client_campaigns(two.id) == [moved]
    assert adapter.get_client_campaign("cc1") == moved


def test_ids_compare_exactly_and_list_in_code_points(adapter: Adapter) -> None:
    client = make_client(adapter)
    for cid in [*CODE_POINT_SHUFFLED, "a "]:
        adapter.save_client_campaign(cid, client_id=client.id, payload={"id": cid})
    listed = adapter.list_client_campaigns(client.id)
    assert [c.id for c in listed] == ["A", "B", "_x", "a", "a ", "b", "é"]
    for cid in CODE_POINT_ORDER:
        got = adapter.get_client_campaign(cid)
        assert got is not None
        assert got.payload == {"id": cid}


def test_list_holds_only_this_clients_campaigns(adapter: Adapter) -> None:
    lower, upper = make_client(adapter, id="k"), make_client(adapter, id="K")
    mine = adapter.save_client_campaign("x", client_id=lower.id, payload={})
    adapter.save_client_campaign("y", client_id=upper.id, payload={})
    assert adapter.list_client_campaigns("k") == [mine]
    assert adapter.list_client_campaigns("ghost") == []


def test_delete(adapter: Adapter) -> None:
    client = make_client(adapter)
    adapter.save_client_campaign("cc", client_id=client.id, payload={})
    keep = adapter.save_client_campaign("CC", client_id=client.id, payload={})
    assert adapter.delete_client_campaign("cc") is True
    assert adapter.delete_client_campaign("cc") is False
    assert adapter.get_client_campaign("cc") is None
    assert adapter.list_client_campaigns(client.id) == [keep]


@pytest.mark.parametrize("client_id", ["ghost", "K", "k "], ids=["absent", "other-case", "trailing-space"])
def test_save_for_missing_client_is_missing_reference(
    adapter: Adapter, raw_snapshot: Snapshot, client_id: str
) -> None:
    make_client(adapter, id="k")
    assert_unchanged(raw_snapshot, lambda: adapter.save_client_campaign("new", client_id=client_id, payload={}),
                     MissingReference, "client_id")


def test_moving_to_missing_client_keeps_the_existing_row(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    client = make_client(adapter)
    saved = adapter.save_client_campaign("cc", client_id=client.id, payload={"v": 1})
    assert_unchanged(raw_snapshot, lambda: adapter.save_client_campaign("cc", client_id="ghost", payload={"v": 2}),
                     MissingReference, "client_id")
    assert adapter.get_client_campaign("cc") == saved


@pytest.mark.parametrize(
    ("cid", "client_id", "payload", "field"),
    [("", "k", {}, "id"), ("x" * 65, "k", {}, "id"), ("cc", "", {}, "client_id"), ("cc", "k", [], "payload"),
     ("cc", "k", None, "payload"), ("", "", None, "id"), ("cc", "ghost", [], "payload")],
    ids=["empty-id", "id-too-long", "empty-client", "list-payload", "none-payload", "first-invalid",
         "invalid-before-missing"],
)
def test_invalid_client_campaign_is_rejected(
    adapter: Adapter, raw_snapshot: Snapshot, cid: object, client_id: object, payload: object, field: str
) -> None:
    make_client(adapter, id="k")
    assert_unchanged(raw_snapshot,
                     lambda: adapter.save_client_campaign(cid, client_id=client_id, payload=payload),  # type: ignore[arg-type]
                     ValidationError, field)
