"""Client OAuth rows: upsert on (client_id, platform), code-point ordered by platform."""

from __future__ import annotations

import pytest

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import MissingReference, ValidationError
from adapter_contracts.contracts.support import CODE_POINT_SHUFFLED, Snapshot, assert_unchanged, make_client


def test_save_and_get(adapter: Adapter) -> None:
    client = make_client(adapter)
    saved = adapter.save_oauth(client.id, "meta", {"access": "a1", "expires": 3600})
    assert (saved.client_id, saved.platform, saved.data) == (client.id, "meta", {"access": "a1", "expires": 3600})
    assert adapter.get_oauth(client.id, "meta") == saved
    assert adapter.get_oauth(client.id, "google") is None
    assert adapter.get_oauth("ghost", "meta") is None


def test_upsert_replaces_without_duplicating(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    client = make_client(adapter)
    adapter.save_oauth(client.id, "meta", {"access": "a1", "refresh": "r1"})
    second = adapter.save_oauth(client.id, "meta", {"access": "a2"})
    assert second.data == {"access": "a2"}
    assert adapter.get_oauth(client.id, "meta") == second
    assert adapter.list_oauth(client.id) == [second]
    assert len(raw_snapshot()["client_oauth"]) == 1


def test_platforms_compare_exactly_and_list_in_code_points(adapter: Adapter) -> None:
    client, other = make_client(adapter), make_client(adapter)
    for platform in [*CODE_POINT_SHUFFLED, "a "]:
        adapter.save_oauth(client.id, platform, {"p": platform})
    adapter.save_oauth(other.id, "a", {"p": "other"})
    listed = adapter.list_oauth(client.id)
    assert [r.platform for r in listed] == ["A", "B", "_x", "a", "a ", "b", "é"]
    assert [r.data["p"] for r in listed] == [r.platform for r in listed]
    got = adapter.get_oauth(client.id, "A")
    assert got is not None
    assert got.data == {"p": "A"}


def test_list_for_missing_client_is_empty(adapter: Adapter) -> None:
    client = make_client(adapter, id="k")
    adapter.save_oauth(client.id, "meta", {})
    assert adapter.list_oauth("ghost") == []
    assert adapter.list_oauth("K") == []


def test_delete(adapter: Adapter) -> None:
    client = make_client(adapter)
    adapter.save_oauth(client.id, "meta", {})
    keep = adapter.save_oauth(client.id, "Meta", {})
    assert adapter.delete_oauth(client.id, "meta") is True
    assert adapter.delete_oauth(client.id, "meta") is False
    assert adapter.get_oauth(client.id, "meta") is None
    assert adapter.list_oauth(client.id) == [keep]


@pytest.mark.parametrize("client_id", ["ghost", "K", "k "], ids=["absent", "other-case", "trailing-space"])
def test_save_for_missing_client_is_missing_reference(
    adapter: Adapter, raw_snapshot: Snapshot, client_id: str
) -> None:
    make_client(adapter, id="k")
    assert_unchanged(raw_snapshot, lambda: adapter.save_oauth(client_id, "meta", {}), MissingReference, "client_id")


@pytest.mark.parametrize(
    ("platform", "data", "field"),
    [("", {}, "platform"), ("p" * 65, {}, "platform"), (3, {}, "platform"), ("meta", [], "data"),
     ("meta", None, "data"), ("", None, "platform")],
    ids=["empty-platform", "platform-too-long", "int-platform", "list-data", "none-data", "first-invalid"],
)
def test_invalid_oauth_is_rejected(
    adapter: Adapter, raw_snapshot: Snapshot, platform: object, data: object, field: str
) -> None:
    client = make_client(adapter)
    for client_id in (client.id, "ghost"):
        assert_unchanged(raw_snapshot, lambda c=client_id: adapter.save_oauth(c, platform, data),  # type: ignore[arg-type]
                         ValidationError, field)
