"""Billing: entries appended in order, listed by (timestamp, insertion order), summed exactly."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.cursor import billing_key, listing_scope
from adapter_contracts.adapters.memory.paging import in_window, page_of
from adapter_contracts.adapters.memory.store import StoreHandle
from adapter_contracts.adapters.records import BillingEntry, BillingTotals, Page, UsageInput
from adapter_contracts.adapters.validation import check_key, check_limit, check_usage, check_usage_batch, check_window


class BillingMethods(StoreHandle):
    """Billing entries, over the store; ``next_seq`` is the insertion order."""

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
            if e.client_id == client_id and in_window(e.timestamp, start, end)
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
            return page_of(rows, billing_key, scope, limit, after, (int, int))

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
