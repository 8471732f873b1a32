"""Billing: entries appended in AUTOINCREMENT order, keyset-paged, summed exactly in two halves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from adapter_contracts import (
    BillingEntry,
    BillingTotals,
    Page,
    UsageInput,
    check_key,
    check_limit,
    check_usage,
    check_usage_batch,
    check_window,
    epoch_ms,
    limits,
    listing_scope,
)

from .codecs import from_units, to_entry, to_units
from .connection import SQLiteConnection
from .paging import in_window

# Amounts are stored as integer counts of 0.0001.  A SUM over many rows near
# 10^18 would overflow SQLite's 64-bit integers ("integer overflow"), so totals
# add the high and low halves separately: each half of one row is below 10^9,
# so their sums stay exact for billions of rows.
_SPLIT = 10**9


class BillingMethods(SQLiteConnection):
    """Billing entries, including the optional batch."""

    # -- billing -------------------------------------------------------------

    _BILLING = "SELECT id, client_id, timestamp, tokens_used_units, cost_units, admin_id FROM client_billing"

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
        with self._write() as conn:
            self._require(conn, "clients", client_id, "client_id")
            if admin_id is not None:
                self._require(conn, "users", admin_id, "admin_id")
            cursor = conn.execute(
                "INSERT INTO client_billing (client_id, timestamp, tokens_used_units, cost_units, admin_id)"
                " VALUES (?, ?, ?, ?, ?)",
                (client_id, epoch_ms(ts), to_units(tokens), to_units(amount), admin_id),
            )
            seq = cursor.lastrowid
        return BillingEntry(str(seq), client_id, ts, tokens, amount, admin_id)

    def record_usage_batch(self, client_id: str, entries: Sequence[UsageInput]) -> list[BillingEntry]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        valid = check_usage_batch(entries)
        written: list[BillingEntry] = []
        # One transaction: every reference is checked before the first insert,
        # and a failure part-way rolls back the entries already inserted.
        with self._write() as conn:
            self._require(conn, "clients", client_id, "client_id")
            for index, (_, _, _, admin_id) in enumerate(valid):
                if admin_id is not None:
                    self._require(conn, "users", admin_id, f"entries[{index}].admin_id")
            for ts, tokens, amount, admin_id in valid:
                cursor = conn.execute(
                    "INSERT INTO client_billing (client_id, timestamp, tokens_used_units, cost_units, admin_id)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (client_id, epoch_ms(ts), to_units(tokens), to_units(amount), admin_id),
                )
                written.append(BillingEntry(str(cursor.lastrowid), client_id, ts, tokens, amount, admin_id))
        return written

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
        window, params = in_window("timestamp", lo, hi)
        return self._keyset_page(
            self._BILLING + " WHERE client_id = ?" + window, [client_id, *params], ("timestamp", "id"),
            listing_scope("billing", client_id), (int, int), limit, after, to_entry,
            lambda e: (epoch_ms(e.timestamp), int(e.id)),
        )

    def usage_totals(
        self, client_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> BillingTotals:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        lo, hi = check_window(start, end)
        window, params = in_window("timestamp", lo, hi)
        row = self._one(
            "SELECT count(*),"
            f" sum(tokens_used_units / {_SPLIT}), sum(tokens_used_units % {_SPLIT}),"
            f" sum(cost_units / {_SPLIT}), sum(cost_units % {_SPLIT})"
            " FROM client_billing WHERE client_id = ?" + window,
            [client_id, *params],
        )
        assert row is not None  # an aggregate always returns one row
        count = int(row[0])
        if count == 0:
            return BillingTotals(0, Decimal(0), Decimal(0))
        return BillingTotals(
            count=count,
            tokens_used=from_units(row[1] * _SPLIT + row[2]),
            cost=from_units(row[3] * _SPLIT + row[4]),
        )
