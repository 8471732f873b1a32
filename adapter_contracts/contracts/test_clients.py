"""Clients: CRUD, payload replacement, listing ordered by (created_at, id) with keyset pages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import Conflict, NotFound, ValidationError
from adapter_contracts.adapters.validation import check_timestamp
from adapter_contracts.contracts.support import (
    CODE_POINT_ORDER,
    CODE_POINT_SHUFFLED,
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
from adapter_contracts.strategies import aware_datetimes, identifiers


def test_create_and_get(adapter: Adapter) -> None:
    made = adapter.create_client(payload={"name": "Acme"}, id="k1", created_at=T0 + ms(3))
    assert (made.id, made.created_at, made.payload) == ("k1", T0 + ms(3), {"name": "Acme"})
    assert adapter.get_client("k1") == made
    assert adapter.get_client("k2") is None


def test_generated_id_and_created_at(adapter: Adapter) -> None:
    a, b = make_client(adapter), make_client(adapter)
    assert a.id != b.id
    assert uuid.UUID(a.id).version == 4
    assert is_utc(a.created_at)
    assert a.created_at.microsecond % 1000 == 0
    assert adapter.get_client(a.id) == a


def test_duplicate_id_conflicts_and_writes_nothing(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    first = make_client(adapter, id="k1", payload={"v": 1})
    assert_unchanged(raw_snapshot, lambda: make_client(adapter, id="k1", payload={"v": 2}), Conflict, "id")
    assert adapter.get_client("k1") == first


def test_client_ids_compare_exactly(adapter: Adapter) -> None:
    made = {cid: make_client(adapter, id=cid, payload={"id": cid}) for cid in ("acme", "ACME", "acme ", "acmé")}
    for cid, client in made.items():
        assert adapter.get_client(cid) == client
    assert len(adapter.list_clients().items) == 4


def test_update_replaces_the_payload(adapter: Adapter) -> None:
    made = make_client(adapter, payload={"a": 1, "b": {"c": 1}}, created_at=T0)
    updated = adapter.update_client(made.id, {"b": {"d": 2}})
    assert updated.payload == {"b": {"d": 2}}
    assert (updated.id, updated.created_at) == (made.id, T0)
    assert adapter.get_client(made.id) == updated


def test_update_of_missing_client_is_not_found(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    make_client(adapter, id="k1")
    for cid in ("ghost", "K1", "k1 "):
        assert_unchanged(raw_snapshot, lambda c=cid: adapter.update_client(c, {"x": 1}), NotFound)


def test_invalid_update_writes_nothing(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    made = make_client(adapter, payload={"keep": 1})
    assert_unchanged(raw_snapshot, lambda: adapter.update_client(made.id, {"n": 2**53}), ValidationError, "payload")
    assert adapter.get_client(made.id) == made


def test_delete_client(adapter: Adapter) -> None:
    make_client(adapter, id="k1")
    keep = make_client(adapter, id="K1")
    assert adapter.delete_client("k1") is True
    assert adapter.get_client("k1") is None
    assert adapter.delete_client("k1") is False
    assert adapter.list_clients().items == (keep,)


def test_list_orders_by_created_at_then_id_in_code_points(adapter: Adapter) -> None:
    make_client(adapter, id="0-late", created_at=T0 + ms(1))
    make_client(adapter, id="9-early", created_at=T0 - ms(1))
    for cid in CODE_POINT_SHUFFLED:
        make_client(adapter, id=cid, created_at=T0)
    page = adapter.list_clients()
    assert [c.id for c in page.items] == ["9-early", *CODE_POINT_ORDER, "0-late"]
    assert page.next_cursor is None


def test_empty_listing(adapter: Adapter) -> None:
    page = adapter.list_clients(limit=5)
    assert page.items == ()
    assert page.next_cursor is None


@pytest.mark.parametrize("limit", [1, 2, 3, 7, 8, 9])
def test_paging_over_ties_neither_skips_nor_repeats(adapter: Adapter, limit: int) -> None:
    make_client(adapter, id="z", created_at=T0 - ms(1))
    for cid in CODE_POINT_SHUFFLED:
        make_client(adapter, id=cid, created_at=T0)
    make_client(adapter, id="0", created_at=T0 + ms(1))
    paged = collect_pages(lambda **kw: adapter.list_clients(**kw), limit)
    assert [c.id for c in paged] == ["z", *CODE_POINT_ORDER, "0"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"limit": 0}, "limit"), ({"limit": 1001}, "limit"), ({"limit": False}, "limit"),
     ({"after": "nonsense"}, "after")],
    ids=["limit-0", "limit-1001", "limit-bool", "garbage-cursor"],
)
def test_invalid_listing_arguments(adapter: Adapter, kwargs: dict[str, object], field: str) -> None:
    make_client(adapter)
    raises(ValidationError, field, lambda: adapter.list_clients(**kwargs))  # type: ignore[arg-type]


def test_campaign_cursor_is_rejected(adapter: Adapter) -> None:
    user = make_user(adapter)
    for _ in range(3):
        make_campaign(adapter, user.id, created_at=T0)
        make_client(adapter, created_at=T0)
    cursor = adapter.list_campaigns(user.id, limit=1).next_cursor
    assert cursor is not None
    raises(ValidationError, "after", lambda: adapter.list_clients(limit=1, after=cursor))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"payload": None}, "payload"),
        ({"payload": []}, "payload"),
        ({"payload": {}, "id": ""}, "id"),
        ({"payload": {}, "created_at": T0.replace(tzinfo=None)}, "created_at"),
        ({"payload": [], "id": ""}, "payload"),
        ({"payload": {}, "id": "", "created_at": T0.replace(tzinfo=None)}, "id"),
    ],
    ids=["none-payload", "list-payload", "empty-id", "naive-created-at", "first-invalid-payload",
         "first-invalid-id"],
)
def test_invalid_client_is_rejected(
    adapter: Adapter, raw_snapshot: Snapshot, kwargs: dict[str, object], field: str
) -> None:
    assert_unchanged(raw_snapshot, lambda: adapter.create_client(**kwargs), ValidationError, field)  # type: ignore[arg-type]


@given(rows=st.lists(st.tuples(identifiers(max_len=limits.ENTITY_ID_MAX),
                               st.one_of(aware_datetimes(min_value=T0, max_value=T0 + ms(3)), aware_datetimes())),
                     max_size=15, unique_by=lambda pair: pair[0]),
       limit=st.integers(1, 16))
def test_paging_with_any_limit_equals_the_ordered_listing(
    fresh: Callable[[], Adapter], rows: list[tuple[str, datetime]], limit: int
) -> None:
    adapter = fresh()
    for cid, created_at in rows:
        make_client(adapter, id=cid, created_at=created_at)
    full = list(adapter.list_clients().items)
    assert [(c.created_at, c.id) for c in full] == sorted(
        (check_timestamp(ts, field="created_at"), cid) for cid, ts in rows)
    assert collect_pages(lambda **kw: adapter.list_clients(**kw), limit) == full
