"""Defects in upserts and idempotence: duplicates sequentially, duplicates under races, wrong "created" flag."""

from __future__ import annotations

import itertools
import time
from typing import TYPE_CHECKING

from adapter_contracts.adapters.errors import MissingReference
from adapter_contracts.adapters.inputs import integration_key
from adapter_contracts.adapters.memory import MemoryAdapter
from adapter_contracts.adapters.records import UserIntegration
from adapter_contracts.adapters.validation import check_payload
from adapter_contracts.harness.plugging import adapter_factory
from tests.gallery.support import on_engine_store

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.base import Endpoint

_row_ids = itertools.count(1)


class _IntegrationsWithoutUniqueKey(MemoryAdapter):
    """Integration rows keyed by a row id, like a Mongo collection without the unique
    (userId, category, provider) index: nothing in storage stops a second row."""

    def _rows_for(self, key: tuple[str, str, str]) -> list[tuple[object, ...]]:
        return [k for k in list(self.store.integrations) if k[:3] == key]

    def get_integration(self, user_id: str, category: str, provider: str) -> UserIntegration | None:
        key = integration_key(user_id, category, provider)
        with self._lock:
            found = self._rows_for(key)
            return None if not found else self.store.integrations[found[0]]  # type: ignore[index]

    def delete_integration(self, user_id: str, category: str, provider: str) -> bool:
        key = integration_key(user_id, category, provider)
        with self._lock:
            found = self._rows_for(key)
            for k in found:
                del self.store.integrations[k]  # type: ignore[arg-type]
            return bool(found)

    def _insert(self, row: UserIntegration) -> None:
        key = (row.user_id, row.category, row.provider, next(_row_ids))
        self.store.integrations[key] = row  # type: ignore[index]


class UpsertAppends(_IntegrationsWithoutUniqueKey):
    """save_integration always inserts (insert_one where replace_one(upsert=True) was meant)."""

    def save_integration(self, user_id: str, category: str, provider: str, data: dict[str, object]) -> UserIntegration:
        key = integration_key(user_id, category, provider)
        row = UserIntegration(*key, data=check_payload(data, field="data"))
        with self._lock:
            self._require_user(row.user_id)
            self._insert(row)
        return row


class RacyUpsert(_IntegrationsWithoutUniqueKey):
    """save_integration reads, then inserts or replaces, without a lock or a unique index:
    correct one call at a time, duplicated rows when two callers race."""

    def save_integration(self, user_id: str, category: str, provider: str, data: dict[str, object]) -> UserIntegration:
        key = integration_key(user_id, category, provider)
        row = UserIntegration(*key, data=check_payload(data, field="data"))
        if row.user_id not in self.store.users:
            raise MissingReference("user_id")
        existing = self._rows_for(key)
        time.sleep(0.001)  # the round trip between the check and the write, where the race lives
        if existing:
            self.store.integrations[existing[0]] = row  # type: ignore[index]
        else:
            self._insert(row)
        return row


class LinkAdminNotIdempotent(MemoryAdapter):
    """link_admin reports True ("new link") even when the link existed (an affected-rows misreading)."""

    def link_admin(self, admin_id: str, client_id: str) -> bool:
        super().link_admin(admin_id, client_id)
        return True


@adapter_factory(engine="memory")
def upsert_appends(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(UpsertAppends, endpoint)


@adapter_factory(engine="memory")
def racy_upsert(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(RacyUpsert, endpoint)


@adapter_factory(engine="memory")
def link_admin_not_idempotent(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(LinkAdminNotIdempotent, endpoint)
