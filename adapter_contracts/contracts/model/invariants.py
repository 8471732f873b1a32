"""How two adapters' observed states differ, and the invariants one state must satisfy.

A state is a dict of named reads (see :mod:`adapter_contracts.contracts.model.views`).
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from typing import Any

from adapter_contracts.adapters.validation import epoch_ms
from adapter_contracts.contracts.model.observe import observe
from adapter_contracts.contracts.model.pools import CAMPAIGN_IDS, CLIENT_CAMPAIGN_IDS, CLIENT_IDS, USER_IDS


def first_difference(got: dict[str, Any], want: dict[str, Any]) -> str | None:
    """The first read (in ``want``'s order) whose observable answers differ, described."""
    for key, value in want.items():
        seen, expected = observe(got[key]), observe(value)
        if seen != expected:
            return f"{key}:\n  adapter   -> {seen!r}\n  reference -> {expected!r}"
    return None


def _sorted(items: list[Any]) -> bool:
    return all(a <= b for a, b in pairwise(items))


def check_integrity(state: dict[str, Any]) -> None:
    """No orphans, totals equal the listed entries, every listing in its stated order."""
    users = {uid for uid in USER_IDS if state[f"get_user({uid!r})"] is not None}
    clients = {kid for kid in CLIENT_IDS if state[f"get_client({kid!r})"] is not None}

    for uid in USER_IDS:
        integrations = state[f"list_integrations({uid!r})"]
        campaigns = state[f"list_campaigns({uid!r})"].items
        admin_of = state[f"list_admin_clients({uid!r})"]
        if uid not in users:
            orphans = [state[f"get_user_setup({uid!r})"], state[f"get_user_workspace({uid!r})"]]
            children = [*orphans, *integrations, *campaigns, *admin_of]
            assert children == [None, None], (
                f"user {uid!r} does not exist but still has children: setup/workspace={orphans}, "
                f"integrations={integrations}, campaigns={campaigns}, admin of={admin_of}"
            )
        assert _sorted([(r.category, r.provider) for r in integrations]), f"list_integrations({uid!r}) out of order"
        assert _sorted([(epoch_ms(c.created_at), c.id) for c in campaigns]), f"list_campaigns({uid!r}) out of order"
        assert _sorted(admin_of), f"list_admin_clients({uid!r}) out of order"
        assert set(admin_of) <= clients, f"user {uid!r} administers missing clients {set(admin_of) - clients}"

    for cid in CAMPAIGN_IDS:
        campaign = state[f"get_campaign({cid!r})"]
        assert campaign is None or campaign.user_id in users, f"campaign {cid!r} belongs to a missing user"
    for ccid in CLIENT_CAMPAIGN_IDS:
        row = state[f"get_client_campaign({ccid!r})"]
        assert row is None or row.client_id in clients, f"client campaign {ccid!r} belongs to a missing client"

    for kid in CLIENT_IDS:
        admins = state[f"list_client_admins({kid!r})"]
        oauth = state[f"list_oauth({kid!r})"]
        client_campaigns = state[f"list_client_campaigns({kid!r})"]
        usage = state[f"list_usage({kid!r})"].items
        if kid not in clients:
            assert not [*admins, *oauth, *client_campaigns, *usage], (
                f"client {kid!r} does not exist but still has children: admins={admins}, oauth={oauth}, "
                f"client campaigns={client_campaigns}, usage={usage}"
            )
        assert set(admins) <= users, f"client {kid!r} has missing admins {set(admins) - users}"
        assert all(e.admin_id is None or e.admin_id in users for e in usage), (
            f"usage of {kid!r} names a missing admin"
        )
        assert _sorted(admins), f"list_client_admins({kid!r}) out of order"
        assert _sorted([r.platform for r in oauth]), f"list_oauth({kid!r}) out of order"
        assert _sorted([r.id for r in client_campaigns]), f"list_client_campaigns({kid!r}) out of order"
        assert _sorted([e.timestamp for e in usage]), f"list_usage({kid!r}) out of timestamp order"
        totals = state[f"usage_totals({kid!r})"]
        listed = (
            len(usage),
            sum((e.tokens_used for e in usage), Decimal(0)),
            sum((e.cost for e in usage), Decimal(0)),
        )
        assert (totals.count, totals.tokens_used, totals.cost) == listed, (
            f"usage_totals({kid!r}) = {totals} but the listed entries sum to {listed}"
        )

    listed_clients = state["list_clients()"].items
    assert {c.id for c in listed_clients} == clients, "list_clients() disagrees with get_client"
    assert _sorted([(epoch_ms(c.created_at), c.id) for c in listed_clients]), "list_clients() out of order"
