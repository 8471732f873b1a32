"""User integrations: upsert on (user_id, category, provider), code-point ordered listings."""

from __future__ import annotations

import pytest

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import MissingReference, ValidationError
from adapter_contracts.contracts.support import (
    CODE_POINT_ORDER,
    CODE_POINT_SHUFFLED,
    Snapshot,
    assert_unchanged,
    make_user,
    raises,
)


def test_save_and_get_integration(adapter: Adapter) -> None:
    user = make_user(adapter)
    saved = adapter.save_integration(user.id, "ads", "google", {"token": "t1"})
    assert (saved.user_id, saved.category, saved.provider, saved.data) == (user.id, "ads", "google", {"token": "t1"})
    assert adapter.get_integration(user.id, "ads", "google") == saved
    assert adapter.get_integration(user.id, "ads", "meta") is None
    assert adapter.get_integration("nobody", "ads", "google") is None


def test_upsert_replaces_data_without_duplicating(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    user = make_user(adapter)
    adapter.save_integration(user.id, "ads", "google", {"token": "t1", "scope": ["a"]})
    second = adapter.save_integration(user.id, "ads", "google", {"token": "t2"})
    assert second.data == {"token": "t2"}
    assert adapter.get_integration(user.id, "ads", "google") == second
    assert adapter.list_integrations(user.id) == [second]
    assert len(raw_snapshot()["user_integrations"]) == 1


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("ads", "google"), ("ADS", "google")),
        (("ads", "google"), ("ads", "Google")),
        (("ads", "google"), ("ads ", "google")),
        (("ads", "google"), ("ads", "google ")),
        (("ads", "e"), ("ads", "é")),
    ],
    ids=["category-case", "provider-case", "category-trailing-space", "provider-trailing-space", "accent"],
)
def test_integration_keys_compare_exactly(adapter: Adapter, a: tuple[str, str], b: tuple[str, str]) -> None:
    user = make_user(adapter)
    first = adapter.save_integration(user.id, *a, {"which": "a"})
    assert adapter.get_integration(user.id, *b) is None
    second = adapter.save_integration(user.id, *b, {"which": "b"})
    assert adapter.get_integration(user.id, *a) == first
    assert adapter.get_integration(user.id, *b) == second
    assert len(adapter.list_integrations(user.id)) == 2


def test_list_orders_by_category_then_provider_in_code_points(adapter: Adapter) -> None:
    user = make_user(adapter)
    for category in CODE_POINT_SHUFFLED:
        for provider in CODE_POINT_SHUFFLED:
            adapter.save_integration(user.id, category, provider, {})
    listed = [(i.category, i.provider) for i in adapter.list_integrations(user.id)]
    assert listed == [(c, p) for c in CODE_POINT_ORDER for p in CODE_POINT_ORDER]


def test_list_filters_on_exact_category(adapter: Adapter) -> None:
    user, other = make_user(adapter), make_user(adapter)
    for category in ("ads", "ADS", "ads ", "mail"):
        for provider in ("z", "a"):
            adapter.save_integration(user.id, category, provider, {"c": category})
    adapter.save_integration(other.id, "ads", "m", {})
    listed = adapter.list_integrations(user.id, category="ads")
    assert [(i.category, i.provider) for i in listed] == [("ads", "a"), ("ads", "z")]
    assert all(i.user_id == user.id for i in listed)
    assert len(adapter.list_integrations(user.id)) == 8
    assert adapter.list_integrations(user.id, category="none") == []


def test_list_for_missing_user_is_empty(adapter: Adapter) -> None:
    user = make_user(adapter, id="u1")
    adapter.save_integration(user.id, "ads", "google", {})
    assert adapter.list_integrations("ghost") == []
    assert adapter.list_integrations("U1") == []


def test_delete_integration(adapter: Adapter) -> None:
    user = make_user(adapter)
    adapter.save_integration(user.id, "ads", "google", {})
    keep = adapter.save_integration(user.id, "ads", "Google", {})
    assert adapter.delete_integration(user.id, "ads", "google") is True
    assert adapter.get_integration(user.id, "ads", "google") is None
    assert adapter.delete_integration(user.id, "ads", "google") is False
    assert adapter.list_integrations(user.id) == [keep]


def test_save_for_missing_user_is_missing_reference(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    make_user(adapter, id="u1")
    assert_unchanged(raw_snapshot, lambda: adapter.save_integration("U1", "ads", "google", {}),
                     MissingReference, "user_id")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("", "google", {}), "category"),
        (("ads", "", {}), "provider"),
        ((None, "google", {}), "category"),
        (("ads", 5, {}), "provider"),
        (("ads", "google", []), "data"),
        (("ads", "google", None), "data"),
        (("", "", None), "category"),
    ],
    ids=["empty-category", "empty-provider", "none-category", "int-provider", "list-data", "none-data",
         "first-invalid"],
)
def test_invalid_integration_is_rejected(
    adapter: Adapter, raw_snapshot: Snapshot, args: tuple[object, object, object], field: str
) -> None:
    user = make_user(adapter)
    assert_unchanged(raw_snapshot, lambda: adapter.save_integration(user.id, *args),  # type: ignore[arg-type]
                     ValidationError, field)
    # Validation comes before the reference check.
    assert_unchanged(raw_snapshot, lambda: adapter.save_integration("ghost", *args),  # type: ignore[arg-type]
                     ValidationError, field)


def test_lookups_validate_keys(adapter: Adapter) -> None:
    raises(ValidationError, "category", lambda: adapter.get_integration("u", "", "p"))
    raises(ValidationError, "provider", lambda: adapter.delete_integration("u", "c", ""))
    raises(ValidationError, "category", lambda: adapter.list_integrations("u", category=""))
