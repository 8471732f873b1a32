"""Campaigns: CRUD, payload replacement, ordered listings, half-open windows, keyset pages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import Conflict, MissingReference, NotFound, ValidationError
from adapter_contracts.adapters.validation import check_timestamp, check_window
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

US = timedelta(microseconds=1)


def ids(page: object) -> list[str]:
    return [c.id for c in page.items]  # type: ignore[attr-defined]


def test_create_and_get(adapter: Adapter) -> None:
    user = make_user(adapter)
    made = adapter.create_campaign(user_id=user.id, payload={"name": "spring"}, id="c1", created_at=T0)
    assert (made.id, made.user_id, made.created_at, made.payload) == ("c1", user.id, T0, {"name": "spring"})
    assert adapter.get_campaign("c1") == made
    assert adapter.get_campaign("nope") is None


def test_generated_id_and_created_at(adapter: Adapter) -> None:
    user = make_user(adapter)
    a, b = make_campaign(adapter, user.id), make_campaign(adapter, user.id)
    assert a.id != b.id
    assert uuid.UUID(a.id).version == 4
    assert is_utc(a.created_at)
    assert a.created_at.microsecond % 1000 == 0
    assert adapter.get_campaign(a.id) == a


@pytest.mark.parametrize("user_id", ["ghost", "U1", "u1 "], ids=["absent", "other-case", "trailing-space"])
def test_campaign_of_missing_user_is_missing_reference(
    adapter: Adapter, raw_snapshot: Snapshot, user_id: str
) -> None:
    make_user(adapter, id="u1")
    assert_unchanged(raw_snapshot, lambda: make_campaign(adapter, user_id, id="c1"), MissingReference, "user_id")


def test_duplicate_id_conflicts_even_for_another_user(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    one, two = make_user(adapter), make_user(adapter)
    first = make_campaign(adapter, one.id, id="c1", payload={"v": 1})
    assert_unchanged(raw_snapshot, lambda: make_campaign(adapter, two.id, id="c1", payload={"v": 2}), Conflict, "id")
    assert adapter.get_campaign("c1") == first


def test_campaign_ids_compare_exactly(adapter: Adapter) -> None:
    user = make_user(adapter)
    made = {cid: make_campaign(adapter, user.id, id=cid, payload={"id": cid}) for cid in ("c1", "C1", "c1 ", "ć1")}
    for cid, campaign in made.items():
        assert adapter.get_campaign(cid) == campaign


def test_update_replaces_the_payload(adapter: Adapter) -> None:
    user = make_user(adapter)
    made = make_campaign(adapter, user.id, payload={"a": 1, "nested": {"x": 1, "y": 2}}, created_at=T0)
    updated = adapter.update_campaign(made.id, {"nested": {"y": 3}})
    assert updated.payload == {"nested": {"y": 3}}
    assert (updated.id, updated.user_id, updated.created_at) == (made.id, user.id, T0)
    assert adapter.get_campaign(made.id) == updated
    assert adapter.update_campaign(made.id, {}).payload == {}


def test_update_of_missing_campaign_is_not_found(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    make_campaign(adapter, make_user(adapter).id, id="c1")
    for cid in ("ghost", "C1", "c1 "):
        assert_unchanged(raw_snapshot, lambda c=cid: adapter.update_campaign(c, {"x": 1}), NotFound)


def test_invalid_update_writes_nothing(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    made = make_campaign(adapter, make_user(adapter).id, payload={"keep": True})
    assert_unchanged(raw_snapshot, lambda: adapter.update_campaign(made.id, {"bad": float("nan")}),
                     ValidationError, "payload")
    assert adapter.get_campaign(made.id) == made


def test_delete_campaign(adapter: Adapter) -> None:
    user = make_user(adapter)
    make_campaign(adapter, user.id, id="c1")
    keep = make_campaign(adapter, user.id, id="C1")
    assert adapter.delete_campaign("c1") is True
    assert adapter.get_campaign("c1") is None
    assert adapter.delete_campaign("c1") is False
    assert adapter.list_campaigns(user.id).items == (keep,)


def test_list_orders_by_created_at_then_id_in_code_points(adapter: Adapter) -> None:
    user = make_user(adapter)
    # Later timestamps get smaller ids, so ordering by id alone would be wrong.
    make_campaign(adapter, user.id, id="0-late", created_at=T0 + ms(2))
    make_campaign(adapter, user.id, id="9-early", created_at=T0 - ms(1))
    for cid in CODE_POINT_SHUFFLED:
        make_campaign(adapter, user.id, id=cid, created_at=T0)
    page = adapter.list_campaigns(user.id)
    assert ids(page) == ["9-early", *CODE_POINT_ORDER, "0-late"]
    assert page.next_cursor is None


def test_sub_millisecond_differences_tie_and_fall_back_to_id(adapter: Adapter) -> None:
    # Stored with microseconds, "a" would sort after "b"; truncated to ms they tie.
    user = make_user(adapter)
    a = make_campaign(adapter, user.id, id="a", created_at=T0 + 900 * US)
    b = make_campaign(adapter, user.id, id="b", created_at=T0 + 100 * US)
    assert a.created_at == b.created_at == T0
    assert ids(adapter.list_campaigns(user.id)) == ["a", "b"]
    assert ids(adapter.list_campaigns(user.id, start=T0, end=T0 + ms(1))) == ["a", "b"]


def test_list_holds_only_this_users_campaigns(adapter: Adapter) -> None:
    one, two, upper = make_user(adapter, id="u"), make_user(adapter, id="v"), make_user(adapter, id="U")
    mine = make_campaign(adapter, one.id, id="m", created_at=T0)
    make_campaign(adapter, two.id, id="t", created_at=T0)
    make_campaign(adapter, upper.id, id="x", created_at=T0)
    assert adapter.list_campaigns("u").items == (mine,)


def test_list_for_missing_user_is_an_empty_last_page(adapter: Adapter) -> None:
    make_campaign(adapter, make_user(adapter, id="u1").id)
    for user_id in ("ghost", "U1"):
        page = adapter.list_campaigns(user_id)
        assert page.items == ()
        assert page.next_cursor is None
        assert adapter.list_campaigns(user_id, limit=1).next_cursor is None


def _spread(adapter: Adapter, user_id: str) -> None:
    for offset in (-1, 0, 1, 9, 10, 11):
        make_campaign(adapter, user_id, id=f"c{offset:+03d}", created_at=T0 + ms(offset))


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (T0, T0 + ms(10), ["c+00", "c+01", "c+09"]),
        (T0, None, ["c+00", "c+01", "c+09", "c+10", "c+11"]),
        (None, T0 + ms(10), ["c-01", "c+00", "c+01", "c+09"]),
        (T0 + ms(10), T0 + ms(10), []),
        (T0 + ms(1), T0 + ms(2), ["c+01"]),
        (T0 + 999 * US, T0 + ms(9) + 999 * US, ["c+00", "c+01"]),
    ],
    ids=["half-open", "start-only", "end-only", "empty-start-equals-end", "one-ms", "bounds-truncated-to-ms"],
)
def test_window_is_half_open(
    adapter: Adapter, start: object, end: object, expected: list[str]
) -> None:
    user = make_user(adapter)
    _spread(adapter, user.id)
    page = adapter.list_campaigns(user.id, start=start, end=end)  # type: ignore[arg-type]
    assert ids(page) == expected
    assert page.next_cursor is None


def test_window_ending_before_it_starts_is_invalid(adapter: Adapter) -> None:
    user = make_user(adapter)
    raises(ValidationError, "end", lambda: adapter.list_campaigns(user.id, start=T0 + ms(1), end=T0))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"start": T0.replace(tzinfo=None)}, "start"),
        ({"end": T0.replace(tzinfo=None)}, "end"),
        ({"start": "2024-01-01T00:00:00Z"}, "start"),
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"limit": -1}, "limit"),
        ({"limit": True}, "limit"),
        ({"limit": 1.0}, "limit"),
        ({"limit": "2"}, "limit"),
        ({"start": T0.replace(tzinfo=None), "limit": 0}, "start"),
    ],
    ids=["naive-start", "naive-end", "text-start", "limit-0", "limit-1001", "limit-negative", "limit-bool",
         "limit-float", "limit-text", "first-invalid"],
)
def test_invalid_listing_arguments(adapter: Adapter, kwargs: dict[str, object], field: str) -> None:
    user = make_user(adapter)
    raises(ValidationError, field, lambda: adapter.list_campaigns(user.id, **kwargs))  # type: ignore[arg-type]


def _ties(adapter: Adapter, user_id: str) -> list[str]:
    """Nine campaigns, seven sharing one timestamp, ids inserted out of order."""
    make_campaign(adapter, user_id, id="zz-first", created_at=T0 - ms(1))
    for cid in ["m", "c", "x", "a", "k", "B", "é"]:
        make_campaign(adapter, user_id, id=cid, created_at=T0)
    make_campaign(adapter, user_id, id="00-last", created_at=T0 + ms(1))
    return ["zz-first", "B", "a", "c", "k", "m", "x", "é", "00-last"]


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 8, 9, 10, 1000])
def test_paging_over_ties_neither_skips_nor_repeats(adapter: Adapter, limit: int) -> None:
    user = make_user(adapter)
    expected = _ties(adapter, user.id)
    paged = collect_pages(lambda **kw: adapter.list_campaigns(user.id, **kw), limit)
    assert [c.id for c in paged] == expected


def test_full_last_page_has_no_cursor(adapter: Adapter) -> None:
    user = make_user(adapter)
    for i in range(4):
        make_campaign(adapter, user.id, id=f"c{i}", created_at=T0)
    first = adapter.list_campaigns(user.id, limit=2)
    assert ids(first) == ["c0", "c1"]
    assert first.next_cursor is not None
    second = adapter.list_campaigns(user.id, limit=2, after=first.next_cursor)
    assert ids(second) == ["c2", "c3"]
    assert second.next_cursor is None
    assert adapter.list_campaigns(user.id, limit=4).next_cursor is None


def test_paging_inside_a_window(adapter: Adapter) -> None:
    user = make_user(adapter)
    _spread(adapter, user.id)
    paged = collect_pages(lambda **kw: adapter.list_campaigns(user.id, start=T0, end=T0 + ms(11), **kw), 2)
    assert [c.id for c in paged] == ["c+00", "c+01", "c+09", "c+10"]


def test_cursor_is_a_keyset_position_not_an_offset(adapter: Adapter) -> None:
    user = make_user(adapter)
    for i in range(1, 5):
        make_campaign(adapter, user.id, id=f"c{i}", created_at=T0 + ms(i))
    first = adapter.list_campaigns(user.id, limit=2)
    assert ids(first) == ["c1", "c2"]
    make_campaign(adapter, user.id, id="c0", created_at=T0)  # lands before the cursor
    adapter.delete_campaign("c2")  # the cursor's own row disappears
    make_campaign(adapter, user.id, id="c5", created_at=T0 + ms(5))
    second = adapter.list_campaigns(user.id, limit=2, after=first.next_cursor)
    assert ids(second) == ["c3", "c4"]
    third = adapter.list_campaigns(user.id, limit=2, after=second.next_cursor)
    assert ids(third) == ["c5"]
    assert third.next_cursor is None
    assert ids(adapter.list_campaigns(user.id)) == ["c0", "c1", "c3", "c4", "c5"]


def _foreign_cursors(adapter: Adapter) -> dict[str, str]:
    for _ in range(2):
        make_client(adapter, created_at=T0)
    client = make_client(adapter)
    for _ in range(2):
        adapter.record_usage(client.id, timestamp=T0, tokens_used=1, cost=Decimal("0.1"))
    clients_cursor = adapter.list_clients(limit=1).next_cursor
    billing_cursor = adapter.list_usage(client.id, limit=1).next_cursor
    assert clients_cursor is not None
    assert billing_cursor is not None
    return {"clients": clients_cursor, "billing": billing_cursor}


@pytest.mark.parametrize(
    "cursor",
    ["clients", "billing", "", "garbage", "k1.", "k1.!!!", "k1.bm90IGpzb24", "k1.WyJjYW1wYWlnbnMiXQ"],
    ids=["clients-cursor", "billing-cursor", "empty", "garbage", "bare-prefix", "bad-base64", "not-json",
         "scope-without-key"],
)
def test_cursor_from_elsewhere_is_rejected(adapter: Adapter, cursor: str) -> None:
    user = make_user(adapter)
    _ties(adapter, user.id)
    foreign = _foreign_cursors(adapter)
    after = foreign.get(cursor, cursor)
    raises(ValidationError, "after", lambda: adapter.list_campaigns(user.id, limit=2, after=after))


# -- properties --------------------------------------------------------------

# Half the instants fall within a few milliseconds of T0, so ties (after truncation) are common.
INSTANTS = st.one_of(aware_datetimes(min_value=T0, max_value=T0 + ms(3)), aware_datetimes())
CAMPAIGN_SETS = st.lists(st.tuples(identifiers(max_len=limits.ENTITY_ID_MAX), INSTANTS),
                         max_size=15, unique_by=lambda pair: pair[0])


def _create_all(adapter: Adapter, rows: list[tuple[str, datetime]]) -> str:
    user = make_user(adapter)
    for cid, created_at in rows:
        make_campaign(adapter, user.id, id=cid, created_at=created_at)
    return user.id


@given(rows=CAMPAIGN_SETS, window=st.tuples(INSTANTS, INSTANTS).map(sorted))
def test_listing_a_window_equals_filtering_the_full_listing(
    fresh: Callable[[], Adapter], rows: list[tuple[str, datetime]], window: list[datetime]
) -> None:
    adapter = fresh()
    user_id = _create_all(adapter, rows)
    full = adapter.list_campaigns(user_id).items
    # Code-point order of ids breaks ties: Python's str ordering is exactly that.
    expected = sorted((check_timestamp(ts, field="created_at"), cid) for cid, ts in rows)
    assert [(c.created_at, c.id) for c in full] == expected
    start, end = window
    lo, hi = check_window(start, end)
    assert lo is not None
    assert hi is not None
    listed = adapter.list_campaigns(user_id, start=start, end=end).items
    assert list(listed) == [c for c in full if lo <= c.created_at < hi]


@given(rows=CAMPAIGN_SETS, limit=st.integers(1, 16))
def test_paging_with_any_limit_equals_listing_at_once(
    fresh: Callable[[], Adapter], rows: list[tuple[str, datetime]], limit: int
) -> None:
    adapter = fresh()
    user_id = _create_all(adapter, rows)
    full = list(adapter.list_campaigns(user_id).items)
    assert collect_pages(lambda **kw: adapter.list_campaigns(user_id, **kw), limit) == full


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"user_id": "", "payload": [], "id": ""}, "user_id"),
        ({"user_id": "u1", "payload": [], "id": ""}, "payload"),
        ({"user_id": "u1", "payload": {}, "id": "", "created_at": "now"}, "id"),
        ({"user_id": "u1", "payload": {}, "created_at": T0.replace(tzinfo=None)}, "created_at"),
        ({"user_id": "ghost", "payload": {"x": float("inf")}}, "payload"),
        ({"user_id": "ghost", "payload": {}, "id": "x" * 65}, "id"),
    ],
    ids=["user-id-first", "payload-second", "id-third", "naive-created-at", "invalid-before-missing-user",
         "over-long-id-before-missing-user"],
)
def test_invalid_campaign_reports_the_first_bad_argument(
    adapter: Adapter, raw_snapshot: Snapshot, kwargs: dict[str, object], field: str
) -> None:
    make_user(adapter, id="u1")
    assert_unchanged(raw_snapshot, lambda: adapter.create_campaign(**kwargs), ValidationError, field)  # type: ignore[arg-type]


def test_invalid_update_of_missing_campaign_is_a_validation_error(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    make_campaign(adapter, make_user(adapter).id)
    assert_unchanged(raw_snapshot, lambda: adapter.update_campaign("ghost", {"x": float("nan")}),
                     ValidationError, "payload")
