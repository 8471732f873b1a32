"""The in-memory reference adapter: the executable specification of the contract.

Plain Python over dicts, guarded by one lock so that several instances (and
threads) can share a :class:`MemoryStore`, the way several connections share a
database.  Every other adapter must be observably equivalent to this one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.base import UNSET, Adapter, Unset
from adapter_contracts.adapters.cursor import decode_cursor, encode_cursor, listing_scope
from adapter_contracts.adapters.errors import AdapterError, Conflict, MissingReference, NotFound, Unsupported
from adapter_contracts.adapters.inputs import new_campaign, new_client, new_client_campaign, new_user, user_changes
from adapter_contracts.adapters.records import (
    BillingEntry,
    BillingTotals,
    Campaign,
    Client,
    ClientCampaign,
    ClientOAuth,
    JSONObject,
    Page,
    UsageInput,
    User,
    UserIntegration,
    UserSetup,
    UserWorkspace,
)
from adapter_contracts.adapters.validation import (
    check_bool,
    check_email,
    check_key,
    check_limit,
    check_payload,
    check_timestamp,
    check_usage,
    check_usage_batch,
    check_window,
    epoch_ms,
)

__all__ = ["MemoryAdapter", "MemoryStore"]

T = TypeVar("T")


@dataclass
class MemoryStore:
    """The shared storage behind one or more :class:`MemoryAdapter` instances."""

    users: dict[str, User] = field(default_factory=dict)
    setups: dict[str, UserSetup] = field(default_factory=dict)
    workspaces: dict[str, UserWorkspace] = field(default_factory=dict)
    integrations: dict[tuple[str, str, str], UserIntegration] = field(default_factory=dict)
    campaigns: dict[str, Campaign] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    admin_links: set[tuple[str, str]] = field(default_factory=set)
    oauth: dict[tuple[str, str], ClientOAuth] = field(default_factory=dict)
    client_campaigns: dict[str, ClientCampaign] = field(default_factory=dict)
    billing: dict[int, BillingEntry] = field(default_factory=dict)
    next_seq: int = 1
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    def clear(self) -> None:
        with self.lock:
            for table in (
                self.users, self.setups, self.workspaces, self.integrations, self.campaigns,
                self.clients, self.oauth, self.client_campaigns, self.billing,
            ):
                table.clear()
            self.admin_links.clear()

    def row_counts(self) -> dict[str, int]:
        """Rows per entity, for the harness's raw snapshots."""
        with self.lock:
            return {
                "users": len(self.users),
                "user_setup": len(self.setups),
                "user_workspace": len(self.workspaces),
                "user_integrations": len(self.integrations),
                "campaigns": len(self.campaigns),
                "clients": len(self.clients),
                "admin_clients": len(self.admin_links),
                "client_oauth": len(self.oauth),
                "client_campaigns": len(self.client_campaigns),
                "client_billing": len(self.billing),
            }


def _json_copy(value: Any) -> Any:
    """A fresh copy of a JSON value: only dicts and lists are mutable in one."""
    if isinstance(value, dict):
        return {key: _json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_copy(item) for item in value]
    return value


def _payload_copy(record: T) -> T:
    """The record with fresh copies of its JSON fields (callers may mutate them).

    Records are frozen and their other fields immutable, so a record without
    JSON fields is returned as is.  Four times faster than copy.deepcopy, which
    the model test calls some 20,000 times per run.
    """
    if record is None:
        return record
    changes = {
        f.name: _json_copy(value) for f in fields(record)  # type: ignore[arg-type]
        if isinstance(value := getattr(record, f.name), (dict, list))
    }
    return replace(record, **changes) if changes else record  # type: ignore[type-var]


def _page(
    rows: Iterable[T],
    sort_key: Callable[[T], tuple[Any, ...]],
    scope: str,
    limit: int | None,
    after: str | None,
    types: tuple[type, ...],
) -> Page[T]:
    ordered = sorted(rows, key=sort_key)
    if after is not None:
        key = decode_cursor(after, scope, *types)
        ordered = [row for row in ordered if sort_key(row) > key]
    if limit is None or len(ordered) <= limit:
        return Page(tuple(_payload_copy(r) for r in ordered), None)
    page = ordered[:limit]
    return Page(tuple(_payload_copy(r) for r in page), encode_cursor(scope, *sort_key(page[-1])))


def _in_window(value: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or value >= start) and (end is None or value < end)


class MemoryAdapter(Adapter):
    """Reference implementation over a :class:`MemoryStore` (a fresh one by default)."""

    unsupported: ClassVar[Mapping[str, type[AdapterError]]] = {"schema_declaration": Unsupported}

    def __init__(self, store: MemoryStore | None = None) -> None:
        self.store = store if store is not None else MemoryStore()
        self._lock = self.store.lock

    def create_schema(self) -> None:
        """Nothing to create: the store's dicts are the schema."""

    def close(self) -> None:
        """Nothing to release: the store outlives its adapters."""

    # -- users ---------------------------------------------------------------

    def create_user(
        self,
        *,
        email: str,
        password_hash: str,
        name: str | None = None,
        id: str | None = None,
        created_at: datetime | None = None,
    ) -> User:
        user = new_user(email=email, password_hash=password_hash, name=name, id=id, created_at=created_at)
        with self._lock:
            if user.id in self.store.users:
                raise Conflict("id")
            if self._user_id_by_email(user.email) is not None:
                raise Conflict("email")
            self.store.users[user.id] = user
        return user

    def _user_id_by_email(self, email: str) -> str | None:
        return next((u.id for u in self.store.users.values() if u.email == email), None)

    def get_user(self, user_id: str) -> User | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        with self._lock:
            return self.store.users.get(user_id)

    def get_user_by_email(self, email: str) -> User | None:
        email = check_email(email)
        with self._lock:
            found = self._user_id_by_email(email)
            return None if found is None else self.store.users[found]

    def update_user(
        self,
        user_id: str,
        *,
        email: str | Unset = UNSET,
        password_hash: str | Unset = UNSET,
        name: str | Unset | None = UNSET,
    ) -> User:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        changes = user_changes(email=email, password_hash=password_hash, name=name)
        with self._lock:
            user = self.store.users.get(user_id)
            if user is None:
                raise NotFound("user", user_id)
            if "email" in changes:
                owner = self._user_id_by_email(changes["email"])
                if owner is not None and owner != user_id:
                    raise Conflict("email")
            user = replace(user, **changes)
            self.store.users[user_id] = user
            return user

    def delete_user(self, user_id: str) -> bool:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        s = self.store
        with self._lock:
            if s.users.pop(user_id, None) is None:
                return False
            s.setups.pop(user_id, None)
            s.workspaces.pop(user_id, None)
            for key in [k for k in s.integrations if k[0] == user_id]:
                del s.integrations[key]
            for cid in [c.id for c in s.campaigns.values() if c.user_id == user_id]:
                del s.campaigns[cid]
            s.admin_links = {link for link in s.admin_links if link[0] != user_id}
            for seq, entry in s.billing.items():
                if entry.admin_id == user_id:
                    s.billing[seq] = replace(entry, admin_id=None)
            return True

    def _require_user(self, user_id: str, field: str = "user_id") -> None:
        if user_id not in self.store.users:
            raise MissingReference(field)

    def _require_client(self, client_id: str, field: str = "client_id") -> None:
        if client_id not in self.store.clients:
            raise MissingReference(field)

    # -- user setup and workspace -------------------------------------------

    def get_user_setup(self, user_id: str) -> UserSetup | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        with self._lock:
            return _payload_copy(self.store.setups.get(user_id))

    def save_user_setup(
        self,
        user_id: str,
        *,
        is_setup_complete: bool,
        completed_at: datetime | None = None,
        setup_data: JSONObject | None = None,
    ) -> UserSetup:
        setup = UserSetup(
            user_id=check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX),
            is_setup_complete=check_bool(is_setup_complete, field="is_setup_complete"),
            completed_at=None if completed_at is None else check_timestamp(completed_at, field="completed_at"),
            setup_data=None if setup_data is None else check_payload(setup_data, field="setup_data"),
        )
        with self._lock:
            self._require_user(setup.user_id)
            self.store.setups[setup.user_id] = setup
            return _payload_copy(setup)

    def get_user_workspace(self, user_id: str) -> UserWorkspace | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        with self._lock:
            return _payload_copy(self.store.workspaces.get(user_id))

    def save_user_workspace(self, user_id: str, workspace: JSONObject) -> UserWorkspace:
        row = UserWorkspace(
            user_id=check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX),
            workspace=check_payload(workspace, field="workspace"),
        )
        with self._lock:
            self._require_user(row.user_id)
            self.store.workspaces[row.user_id] = row
            return _payload_copy(row)

    # -- user integrations ---------------------------------------------------

    @staticmethod
    def _integration_key(user_id: str, category: str, provider: str) -> tuple[str, str, str]:
        return (
            check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX),
            check_key(category, field="category", max_len=limits.CATEGORY_MAX),
            check_key(provider, field="provider", max_len=limits.PROVIDER_MAX),
        )

    def save_integration(
        self, user_id: str, category: str, provider: str, data: JSONObject
    ) -> UserIntegration:
        key = self._integration_key(user_id, category, provider)
        row = UserIntegration(*key, data=check_payload(data, field="data"))
        with self._lock:
            self._require_user(row.user_id)
            self.store.integrations[key] = row
            return _payload_copy(row)

    def get_integration(self, user_id: str, category: str, provider: str) -> UserIntegration | None:
        key = self._integration_key(user_id, category, provider)
        with self._lock:
            return _payload_copy(self.store.integrations.get(key))

    def list_integrations(self, user_id: str, *, category: str | None = None) -> list[UserIntegration]:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        if category is not None:
            category = check_key(category, field="category", max_len=limits.CATEGORY_MAX)
        with self._lock:
            rows = [
                r for r in self.store.integrations.values()
                if r.user_id == user_id and (category is None or r.category == category)
            ]
            return [_payload_copy(r) for r in sorted(rows, key=lambda r: (r.category, r.provider))]

    def delete_integration(self, user_id: str, category: str, provider: str) -> bool:
        key = self._integration_key(user_id, category, provider)
        with self._lock:
            return self.store.integrations.pop(key, None) is not None

    # -- campaigns -----------------------------------------------------------

    def create_campaign(
        self,
        *,
        user_id: str,
        payload: JSONObject,
        id: str | None = None,
        created_at: datetime | None = None,
    ) -> Campaign:
        row = new_campaign(user_id=user_id, payload=payload, id=id, created_at=created_at)
        with self._lock:
            self._require_user(row.user_id)
            if row.id in self.store.campaigns:
                raise Conflict("id")
            self.store.campaigns[row.id] = row
            return _payload_copy(row)

    def get_campaign(self, campaign_id: str) -> Campaign | None:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        with self._lock:
            return _payload_copy(self.store.campaigns.get(campaign_id))

    def update_campaign(self, campaign_id: str, payload: JSONObject) -> Campaign:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        payload = check_payload(payload, field="payload")
        with self._lock:
            row = self.store.campaigns.get(campaign_id)
            if row is None:
                raise NotFound("campaign", campaign_id)
            row = replace(row, payload=payload)
            self.store.campaigns[campaign_id] = row
            return _payload_copy(row)

    def delete_campaign(self, campaign_id: str) -> bool:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        with self._lock:
            return self.store.campaigns.pop(campaign_id, None) is not None

    def list_campaigns(
        self,
        user_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
        after: str | None = None,
    ) -> Page[Campaign]:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        lo, hi = check_window(start, end)
        limit = check_limit(limit)
        with self._lock:
            rows = [
                c for c in self.store.campaigns.values()
                if c.user_id == user_id and _in_window(c.created_at, lo, hi)
            ]
            scope = listing_scope("campaigns", user_id)
            return _page(rows, lambda c: (epoch_ms(c.created_at), c.id), scope, limit, after, (int, str))

    # -- clients -------------------------------------------------------------

    def create_client(
        self, *, payload: JSONObject, id: str | None = None, created_at: datetime | None = None
    ) -> Client:
        row = new_client(payload=payload, id=id, created_at=created_at)
        with self._lock:
            if row.id in self.store.clients:
                raise Conflict("id")
            self.store.clients[row.id] = row
            return _payload_copy(row)

    def get_client(self, client_id: str) -> Client | None:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        with self._lock:
            return _payload_copy(self.store.clients.get(client_id))

    def update_client(self, client_id: str, payload: JSONObject) -> Client:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        payload = check_payload(payload, field="payload")
        with self._lock:
            row = self.store.clients.get(client_id)
            if row is None:
                raise NotFound("client", client_id)
            row = replace(row, payload=payload)
            self.store.clients[client_id] = row
            return _payload_copy(row)

    def delete_client(self, client_id: str) -> bool:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        s = self.store
        with self._lock:
            if s.clients.pop(client_id, None) is None:
                return False
            s.admin_links = {link for link in s.admin_links if link[1] != client_id}
            for key in [k for k in s.oauth if k[0] == client_id]:
                del s.oauth[key]
            for cid in [c.id for c in s.client_campaigns.values() if c.client_id == client_id]:
                del s.client_campaigns[cid]
            for seq in [q for q, e in s.billing.items() if e.client_id == client_id]:
                del s.billing[seq]
            return True

    def list_clients(self, *, limit: int | None = None, after: str | None = None) -> Page[Client]:
        limit = check_limit(limit)
        with self._lock:
            rows = list(self.store.clients.values())
            return _page(rows, lambda c: (epoch_ms(c.created_at), c.id), "clients", limit, after, (int, str))

    # -- admin links ---------------------------------------------------------

    def _link_key(self, admin_id: str, client_id: str) -> tuple[str, str]:
        return (
            check_key(admin_id, field="admin_id", max_len=limits.USER_ID_MAX),
            check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX),
        )

    def link_admin(self, admin_id: str, client_id: str) -> bool:
        key = self._link_key(admin_id, client_id)
        with self._lock:
            self._require_user(key[0], "admin_id")
            self._require_client(key[1])
            if key in self.store.admin_links:
                return False
            self.store.admin_links.add(key)
            return True

    def unlink_admin(self, admin_id: str, client_id: str) -> bool:
        key = self._link_key(admin_id, client_id)
        with self._lock:
            if key not in self.store.admin_links:
                return False
            self.store.admin_links.discard(key)
            return True

    def list_admin_clients(self, admin_id: str) -> list[str]:
        admin_id = check_key(admin_id, field="admin_id", max_len=limits.USER_ID_MAX)
        with self._lock:
            return sorted(c for a, c in self.store.admin_links if a == admin_id)

    def list_client_admins(self, client_id: str) -> list[str]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        with self._lock:
            return sorted(a for a, c in self.store.admin_links if c == client_id)

    # -- client oauth --------------------------------------------------------

    @staticmethod
    def _oauth_key(client_id: str, platform: str) -> tuple[str, str]:
        return (
            check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX),
            check_key(platform, field="platform", max_len=limits.PLATFORM_MAX),
        )

    def save_oauth(self, client_id: str, platform: str, data: JSONObject) -> ClientOAuth:
        key = self._oauth_key(client_id, platform)
        row = ClientOAuth(*key, data=check_payload(data, field="data"))
        with self._lock:
            self._require_client(row.client_id)
            self.store.oauth[key] = row
            return _payload_copy(row)

    def get_oauth(self, client_id: str, platform: str) -> ClientOAuth | None:
        key = self._oauth_key(client_id, platform)
        with self._lock:
            return _payload_copy(self.store.oauth.get(key))

    def list_oauth(self, client_id: str) -> list[ClientOAuth]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        with self._lock:
            rows = [r for r in self.store.oauth.values() if r.client_id == client_id]
            return [_payload_copy(r) for r in sorted(rows, key=lambda r: r.platform)]

    def delete_oauth(self, client_id: str, platform: str) -> bool:
        key = self._oauth_key(client_id, platform)
        with self._lock:
            return self.store.oauth.pop(key, None) is not None

    # -- client campaigns ----------------------------------------------------

    def save_client_campaign(self, id: str, *, client_id: str, payload: JSONObject) -> ClientCampaign:
        row = new_client_campaign(id, client_id=client_id, payload=payload)
        with self._lock:
            self._require_client(row.client_id)
            self.store.client_campaigns[row.id] = row
            return _payload_copy(row)

    def get_client_campaign(self, campaign_id: str) -> ClientCampaign | None:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        with self._lock:
            return _payload_copy(self.store.client_campaigns.get(campaign_id))

    def list_client_campaigns(self, client_id: str) -> list[ClientCampaign]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        with self._lock:
            rows = [r for r in self.store.client_campaigns.values() if r.client_id == client_id]
            return [_payload_copy(r) for r in sorted(rows, key=lambda r: r.id)]

    def delete_client_campaign(self, campaign_id: str) -> bool:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        with self._lock:
            return self.store.client_campaigns.pop(campaign_id, None) is not None

    # -- billing -------------------------------------------------------------

    def record_usage(
        self,
        client_id: str,
        *,
        timestamp: datetime,
        tokens_used: Decimal | int,
        cost: Decimal | int,
        admin_id: str | None = None,
    ) -> BillingEntry:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        ts, tokens, amount, admin_id = check_usage(timestamp, tokens_used, cost, admin_id)
        with self._lock:
            self._require_client(client_id)
            if admin_id is not None:
                self._require_user(admin_id, "admin_id")
            seq = self.store.next_seq
            self.store.next_seq += 1
            entry = BillingEntry(str(seq), client_id, ts, tokens, amount, admin_id)
            self.store.billing[seq] = entry
            return entry

    def record_usage_batch(self, client_id: str, entries: Sequence[UsageInput]) -> list[BillingEntry]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        valid = check_usage_batch(entries)
        with self._lock:
            self._require_client(client_id)
            for index, (_, _, _, admin_id) in enumerate(valid):
                if admin_id is not None:
                    self._require_user(admin_id, f"entries[{index}].admin_id")
            written = []
            for ts, tokens, amount, admin_id in valid:
                seq = self.store.next_seq
                self.store.next_seq += 1
                entry = BillingEntry(str(seq), client_id, ts, tokens, amount, admin_id)
                self.store.billing[seq] = entry
                written.append(entry)
            return written

    def _entries(self, client_id: str, start: datetime | None, end: datetime | None) -> list[tuple[int, BillingEntry]]:
        return [
            (seq, e) for seq, e in self.store.billing.items()
            if e.client_id == client_id and _in_window(e.timestamp, start, end)
        ]

    def list_usage(
        self,
        client_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
        after: str | None = None,
    ) -> Page[BillingEntry]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        lo, hi = check_window(start, end)
        limit = check_limit(limit)
        with self._lock:
            rows = [e for _, e in self._entries(client_id, lo, hi)]
            scope = listing_scope("billing", client_id)
            return _page(rows, lambda e: (epoch_ms(e.timestamp), int(e.id)), scope, limit, after, (int, int))

    def usage_totals(
        self, client_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> BillingTotals:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        lo, hi = check_window(start, end)
        with self._lock:
            rows = [e for _, e in self._entries(client_id, lo, hi)]
        return BillingTotals(
            count=len(rows),
            tokens_used=sum((e.tokens_used for e in rows), Decimal(0)),
            cost=sum((e.cost for e in rows), Decimal(0)),
        )
