"""User setup and workspace: one row per user, inserted or replaced whole."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import MissingReference, ValidationError
from adapter_contracts.contracts.explain import expect_same
from adapter_contracts.contracts.support import T0, Snapshot, assert_unchanged, make_user, ms, same_json


def test_setup_is_none_until_saved(adapter: Adapter) -> None:
    user = make_user(adapter)
    assert adapter.get_user_setup(user.id) is None
    assert adapter.get_user_setup("nobody") is None


def test_save_setup_returns_and_stores_the_row(adapter: Adapter) -> None:
    user = make_user(adapter)
    saved = adapter.save_user_setup(user.id, is_setup_complete=True, completed_at=T0 + ms(5),
                                    setup_data={"step": 3, "ok": True})
    assert (saved.user_id, saved.is_setup_complete, saved.completed_at) == (user.id, True, T0 + ms(5))
    assert saved.setup_data is not None
    expect_same(saved.setup_data, {"step": 3, "ok": True}, call="save_user_setup(...).setup_data", same=same_json)
    assert adapter.get_user_setup(user.id) == saved


def test_save_setup_replaces_every_field(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    user = make_user(adapter)
    adapter.save_user_setup(user.id, is_setup_complete=True, completed_at=T0, setup_data={"a": 1, "b": 2})
    rows = len(raw_snapshot()["user_setup"])
    replaced = adapter.save_user_setup(user.id, is_setup_complete=False, setup_data={"b": 3})
    assert (replaced.is_setup_complete, replaced.completed_at, replaced.setup_data) == (False, None, {"b": 3})
    assert adapter.get_user_setup(user.id) == replaced
    assert len(raw_snapshot()["user_setup"]) == rows == 1
    cleared = adapter.save_user_setup(user.id, is_setup_complete=False)
    assert cleared.setup_data is None
    assert adapter.get_user_setup(user.id) == cleared


def test_setup_data_none_and_empty_object_are_kept_apart(adapter: Adapter) -> None:
    a, b = make_user(adapter), make_user(adapter)
    adapter.save_user_setup(a.id, is_setup_complete=False, setup_data=None)
    adapter.save_user_setup(b.id, is_setup_complete=False, setup_data={})
    got_a, got_b = adapter.get_user_setup(a.id), adapter.get_user_setup(b.id)
    assert got_a is not None
    assert got_a.setup_data is None
    assert got_b is not None
    assert got_b.setup_data == {}


def test_completed_at_is_returned_in_utc(adapter: Adapter) -> None:
    user = make_user(adapter)
    local = T0.astimezone(timezone(timedelta(hours=-7)))
    saved = adapter.save_user_setup(user.id, is_setup_complete=True, completed_at=local)
    got = adapter.get_user_setup(user.id)
    assert got is not None
    assert saved.completed_at == got.completed_at == T0
    assert got.completed_at is not None
    assert got.completed_at.utcoffset() == timedelta(0)


def test_setup_of_missing_user_is_missing_reference(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    make_user(adapter, id="u1")
    for user_id in ("ghost", "U1", "u1 "):
        assert_unchanged(raw_snapshot, lambda uid=user_id: adapter.save_user_setup(uid, is_setup_complete=True),
                         MissingReference, "user_id")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"is_setup_complete": 1}, "is_setup_complete"),
        ({"is_setup_complete": "yes"}, "is_setup_complete"),
        ({"is_setup_complete": None}, "is_setup_complete"),
        ({"is_setup_complete": True, "completed_at": "2024-01-01"}, "completed_at"),
        ({"is_setup_complete": True, "setup_data": [1]}, "setup_data"),
        ({"is_setup_complete": True, "setup_data": '{"a": 1}'}, "setup_data"),
        ({"is_setup_complete": 0, "setup_data": [1]}, "is_setup_complete"),
    ],
    ids=["int-flag", "str-flag", "none-flag", "str-timestamp", "list-data", "json-text-data", "first-invalid"],
)
def test_invalid_setup_is_rejected_before_the_reference_check(
    adapter: Adapter, raw_snapshot: Snapshot, kwargs: dict[str, object], field: str
) -> None:
    for user_id in (make_user(adapter).id, "ghost"):
        assert_unchanged(raw_snapshot, lambda uid=user_id: adapter.save_user_setup(uid, **kwargs),  # type: ignore[arg-type]
                         ValidationError, field)


def test_workspace_is_none_until_saved(adapter: Adapter) -> None:
    user = make_user(adapter)
    assert adapter.get_user_workspace(user.id) is None
    assert adapter.get_user_workspace("nobody") is None


def test_save_workspace_replaces_not_merges(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    user = make_user(adapter)
    first = adapter.save_user_workspace(user.id, {"theme": "dark", "layout": {"cols": 2, "rows": 3}})
    assert adapter.get_user_workspace(user.id) == first
    second = adapter.save_user_workspace(user.id, {"layout": {"cols": 4}})
    assert second.workspace == {"layout": {"cols": 4}}
    got = adapter.get_user_workspace(user.id)
    assert got is not None
    assert got.workspace == {"layout": {"cols": 4}}
    assert len(raw_snapshot()["user_workspace"]) == 1


def test_workspaces_are_per_exact_user_id(adapter: Adapter) -> None:
    lower, upper = make_user(adapter, id="ws"), make_user(adapter, id="WS")
    adapter.save_user_workspace(lower.id, {"owner": "lower"})
    adapter.save_user_workspace(upper.id, {"owner": "upper"})
    lo, up = adapter.get_user_workspace("ws"), adapter.get_user_workspace("WS")
    assert lo is not None
    assert lo.workspace == {"owner": "lower"}
    assert up is not None
    assert up.workspace == {"owner": "upper"}


def test_workspace_of_missing_user_is_missing_reference(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    make_user(adapter, id="u1")
    assert_unchanged(raw_snapshot, lambda: adapter.save_user_workspace("U1", {}), MissingReference, "user_id")


@pytest.mark.parametrize("bad", [None, [], "{}", 1], ids=["none", "list", "json-text", "int"])
def test_workspace_must_be_an_object(adapter: Adapter, raw_snapshot: Snapshot, bad: object) -> None:
    user = make_user(adapter)
    assert_unchanged(raw_snapshot, lambda: adapter.save_user_workspace(user.id, bad),  # type: ignore[arg-type]
                     ValidationError, "workspace")
