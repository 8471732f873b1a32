"""Named reads of an adapter's observable state, and which of them a write can change.

A read is named by the call that makes it (``"get_user('u1')"``), so the first
difference between two adapters reads as the call that shows it.  The pools
are the whole key universe of a model run, so :data:`EVERY_READ` sees every
row the run could have written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import methodcaller
from typing import Any

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.contracts.model.pools import CAMPAIGN_IDS, CLIENT_CAMPAIGN_IDS, CLIENT_IDS, USER_IDS

USER_READS = (
    "get_user", "get_user_setup", "get_user_workspace", "list_integrations", "list_campaigns", "list_admin_clients",
)
CLIENT_READS = (
    "get_client", "list_client_admins", "list_oauth", "list_client_campaigns", "list_usage", "usage_totals",
)


def label(operation: str, *args: str) -> str:
    return f"{operation}({', '.join(map(repr, args))})"


def _readers() -> dict[str, Callable[[Adapter], Any]]:
    readers: dict[str, Callable[[Adapter], Any]] = {}
    for uid in USER_IDS:
        readers.update({label(op, uid): methodcaller(op, uid) for op in USER_READS})
    readers.update({label("get_campaign", cid): methodcaller("get_campaign", cid) for cid in CAMPAIGN_IDS})
    for kid in CLIENT_IDS:
        readers.update({label(op, kid): methodcaller(op, kid) for op in CLIENT_READS})
    readers.update({label("get_client_campaign", c): methodcaller("get_client_campaign", c)
                    for c in CLIENT_CAMPAIGN_IDS})
    readers[label("list_clients")] = methodcaller("list_clients")
    return readers


READERS = _readers()
#: In a fixed order, so the first difference reported is deterministic.
EVERY_READ = tuple(READERS)


def read_state(a: Adapter, labels: Iterable[str] = EVERY_READ) -> dict[str, Any]:
    """The named reads' answers, keyed by name."""
    return {name: READERS[name](a) for name in labels}


def user_view(user_id: str) -> list[str]:
    """Everything that hangs off one user."""
    return [label(op, user_id) for op in USER_READS]


def client_view(client_id: str) -> list[str]:
    """Everything that hangs off one client."""
    return [label(op, client_id) for op in CLIENT_READS]


def every(operation: str) -> list[str]:
    """One read for every pool key it takes (e.g. every user's ``get_user``)."""
    keys = {
        "get_campaign": CAMPAIGN_IDS, "get_client_campaign": CLIENT_CAMPAIGN_IDS,
        **dict.fromkeys(USER_READS, USER_IDS), **dict.fromkeys(CLIENT_READS, CLIENT_IDS),
    }[operation]
    return [label(operation, key) for key in keys]
