"""Users and what a user owns: setup, workspace, integrations, campaigns."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.base import UNSET, Unset
from adapter_contracts.adapters.cursor import created_key, listing_scope
from adapter_contracts.adapters.errors import Conflict, NotFound
from adapter_contracts.adapters.inputs import integration_key, new_campaign, new_user, user_changes
from adapter_contracts.adapters.memory.codecs import payload_copy
from adapter_contracts.adapters.memory.paging import in_window, page_of
from adapter_contracts.adapters.memory.store import StoreHandle
from adapter_contracts.adapters.records import (
    Campaign,
    JSONObject,
    Page,
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
    check_window,
)


class UserMethods(StoreHandle):
    """The users and what they own, over the store."""

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

    # -- user setup and workspace -------------------------------------------

    def get_user_setup(self, user_id: str) -> UserSetup | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        with self._lock:
            return payload_copy(self.store.setups.get(user_id))

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
            return payload_copy(setup)

    def get_user_workspace(self, user_id: str) -> UserWorkspace | None:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        with self._lock:
            return payload_copy(self.store.workspaces.get(user_id))

    def save_user_workspace(self, user_id: str, workspace: JSONObject) -> UserWorkspace:
        row = UserWorkspace(
            user_id=check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX),
            workspace=check_payload(workspace, field="workspace"),
        )
        with self._lock:
            self._require_user(row.user_id)
            self.store.workspaces[row.user_id] = row
            return payload_copy(row)

    # -- user integrations ---------------------------------------------------

    def save_integration(
        self, user_id: str, category: str, provider: str, data: JSONObject
    ) -> UserIntegration:
        key = integration_key(user_id, category, provider)
        row = UserIntegration(*key, data=check_payload(data, field="data"))
        with self._lock:
            self._require_user(row.user_id)
            self.store.integrations[key] = row
            return payload_copy(row)

    def get_integration(self, user_id: str, category: str, provider: str) -> UserIntegration | None:
        key = integration_key(user_id, category, provider)
        with self._lock:
            return payload_copy(self.store.integrations.get(key))

    def list_integrations(self, user_id: str, *, category: str | None = None) -> list[UserIntegration]:
        user_id = check_key(user_id, field="user_id", max_len=limits.USER_ID_MAX)
        if category is not None:
            category = check_key(category, field="category", max_len=limits.CATEGORY_MAX)
        with self._lock:
            rows = [
                r for r in self.store.integrations.values()
                if r.user_id == user_id and (category is None or r.category == category)
            ]
            return [payload_copy(r) for r in sorted(rows, key=lambda r: (r.category, r.provider))]

    def delete_integration(self, user_id: str, category: str, provider: str) -> bool:
        key = integration_key(user_id, category, provider)
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
            return payload_copy(row)

    def get_campaign(self, campaign_id: str) -> Campaign | None:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        with self._lock:
            return payload_copy(self.store.campaigns.get(campaign_id))

    def update_campaign(self, campaign_id: str, payload: JSONObject) -> Campaign:
        campaign_id = check_key(campaign_id, field="campaign_id", max_len=limits.ENTITY_ID_MAX)
        payload = check_payload(payload, field="payload")
        with self._lock:
            row = self.store.campaigns.get(campaign_id)
            if row is None:
                raise NotFound("campaign", campaign_id)
            row = replace(row, payload=payload)
            self.store.campaigns[campaign_id] = row
            return payload_copy(row)

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
                if c.user_id == user_id and in_window(c.created_at, lo, hi)
            ]
            scope = listing_scope("campaigns", user_id)
            return page_of(rows, created_key, scope, limit, after, (int, str))
