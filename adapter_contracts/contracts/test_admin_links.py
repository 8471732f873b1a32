"""Admin links between users and clients: idempotent link, exact keys, code-point listings."""

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
    make_user,
    raises,
)


def test_link_is_new_once_then_idempotent(adapter: Adapter, raw_snapshot: Snapshot) -> None:
    user, client = make_user(adapter), make_client(adapter)
    assert adapter.link_admin(user.id, client.id) is True
    after_first = raw_snapshot()
    assert len(after_first["admin_clients"]) == 1
    assert adapter.link_admin(user.id, client.id) is False
    assert adapter.link_admin(user.id, client.id) is False
    assert raw_snapshot() == after_first
    assert adapter.list_admin_clients(user.id) == [client.id]
    assert adapter.list_client_admins(client.id) == [user.id]


def test_unlink(adapter: Adapter) -> None:
    user, client, other = make_user(adapter), make_client(adapter), make_client(adapter)
    adapter.link_admin(user.id, client.id)
    adapter.link_admin(user.id, other.id)
    assert adapter.unlink_admin(user.id, client.id) is True
    assert adapter.unlink_admin(user.id, client.id) is False
    assert adapter.list_admin_clients(user.id) == [other.id]
    assert adapter.list_client_admins(client.id) == []
    assert adapter.link_admin(user.id, client.id) is True  # new again after unlinking


def test_unlink_of_unknown_pair_is_false(adapter: Adapter) -> None:
    assert adapter.unlink_admin("ghost", "nothing") is False


def test_listings_are_in_code_point_order(adapter: Adapter) -> None:
    admin = make_user(adapter, id="admin")
    client = make_client(adapter, id="client")
    for key in CODE_POINT_SHUFFLED:
        make_client(adapter, id=key)
        make_user(adapter, id=key)
        adapter.link_admin(admin.id, key)
        adapter.link_admin(key, client.id)
    assert adapter.list_admin_clients(admin.id) == CODE_POINT_ORDER
    assert adapter.list_client_admins(client.id) == CODE_POINT_ORDER


def test_links_use_exact_keys(adapter: Adapter) -> None:
    lower, upper, padded = make_user(adapter, id="u"), make_user(adapter, id="U"), make_user(adapter, id="u ")
    k_lower, k_upper = make_client(adapter, id="k"), make_client(adapter, id="K")
    assert adapter.link_admin(lower.id, k_lower.id) is True
    assert adapter.link_admin(upper.id, k_lower.id) is True
    assert adapter.link_admin(padded.id, k_lower.id) is True
    assert adapter.link_admin(lower.id, k_upper.id) is True
    assert adapter.list_client_admins("k") == ["U", "u", "u "]
    assert adapter.list_client_admins("K") == ["u"]
    assert adapter.list_admin_clients("u") == ["K", "k"]
    assert adapter.list_admin_clients("U") == ["k"]
    assert adapter.unlink_admin("U", "K") is False
    assert adapter.list_admin_clients("u") == ["K", "k"]


def test_listings_for_missing_parents_are_empty(adapter: Adapter) -> None:
    user, client = make_user(adapter, id="u"), make_client(adapter, id="k")
    adapter.link_admin(user.id, client.id)
    assert adapter.list_admin_clients("ghost") == []
    assert adapter.list_admin_clients("U") == []
    assert adapter.list_client_admins("ghost") == []
    assert adapter.list_client_admins("K") == []


@pytest.mark.parametrize(
    ("admin", "client", "field"),
    [("ghost", "k", "admin_id"), ("u", "ghost", "client_id"), ("ghost", "ghost", "admin_id"),
     ("U", "k", "admin_id"), ("u", "K", "client_id"), ("u ", "k", "admin_id")],
    ids=["missing-admin", "missing-client", "both-missing", "admin-other-case", "client-other-case",
         "admin-trailing-space"],
)
def test_link_to_missing_parent_is_missing_reference(
    adapter: Adapter, raw_snapshot: Snapshot, admin: str, client: str, field: str
) -> None:
    make_user(adapter, id="u")
    make_client(adapter, id="k")
    assert_unchanged(raw_snapshot, lambda: adapter.link_admin(admin, client), MissingReference, field)


@pytest.mark.parametrize(
    ("admin", "client", "field"),
    [("", "k", "admin_id"), ("u", "", "client_id"), (None, "k", "admin_id"), ("x" * 37, "k", "admin_id"),
     ("u", "x" * 65, "client_id"), ("", "", "admin_id")],
    ids=["empty-admin", "empty-client", "none-admin", "admin-too-long", "client-too-long", "both-invalid"],
)
def test_invalid_link_keys(adapter: Adapter, raw_snapshot: Snapshot, admin: object, client: object,
                           field: str) -> None:
    make_user(adapter, id="u")
    make_client(adapter, id="k")
    assert_unchanged(raw_snapshot, lambda: adapter.link_admin(admin, client),  # type: ignore[arg-type]
                     ValidationError, field)
    raises(ValidationError, field, lambda: adapter.unlink_admin(admin, client))  # type: ignore[arg-type]
