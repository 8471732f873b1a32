"""Billing through asyncpg: entries appended in order (BIGSERIAL ids), keyset-paged, summed exactly."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.cursor import billing_key, listing_scope
from adapter_contracts.adapters.errors import MissingReference
from adapter_contracts.adapters.postgres.codecs import to_entry
from adapter_contracts.adapters.postgres.paging import window
from adapter_contracts.adapters.postgres.statements import (
    INSERT_ENTRIES,
    INSERT_ENTRY,
    LOCK_ADMINS,
    LOCK_CLIENT,
    SELECT_ENTRIES,
    usage_totals,
)
from adapter_contracts.adapters.postgres_async.connection import AsyncPostgresConnection, numbered
from adapter_contracts.adapters.records import BillingEntry, BillingTotals, Page, UsageInput
from adapter_contracts.adapters.validation import check_key, check_limit, check_usage, check_usage_batch, check_window


class BillingMethods(AsyncPostgresConnection):
    """Billing entries."""

    # -- billing -------------------------------------------------------------

    async def record_usage(
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
        row = (await self._execute(
            INSERT_ENTRY,
            (client_id, ts, tokens, amount, admin_id),
            [("client_id", "clients", client_id), ("admin_id", "users", admin_id)],
        )).fetchone()
        assert row is not None
        return BillingEntry(str(row[0]), client_id, ts, tokens, amount, admin_id)

    async def record_usage_batch(self, client_id: str, entries: Sequence[UsageInput]) -> list[BillingEntry]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        valid = check_usage_batch(entries)
        async with self._transaction([("client_id", "clients", client_id)]) as conn:
            # FOR KEY SHARE keeps the parents from being deleted before this commits,
            # so the reference's check order is also the outcome.
            if await conn.fetchrow(numbered(LOCK_CLIENT), client_id) is None:
                raise MissingReference("client_id")
            admins = sorted({admin for *_, admin in valid if admin is not None})
            if admins:
                found = {row[0] for row in await conn.fetch(numbered(LOCK_ADMINS), admins)}
                for index, (*_, admin) in enumerate(valid):
                    if admin is not None and admin not in found:
                        raise MissingReference(f"entries[{index}].admin_id")
            if not valid:
                return []
            columns = list(zip(*valid, strict=True))
            # Rows reach the insert in ORDER BY n order, so ids (the insertion order) follow the sequence.
            ids = sorted(row[0] for row in await conn.fetch(
                numbered(INSERT_ENTRIES), client_id, *(list(column) for column in columns)))
        return [
            BillingEntry(str(seq), client_id, ts, tokens, amount, admin)
            for seq, (ts, tokens, amount, admin) in zip(ids, valid, strict=True)
        ]

    async def list_usage(
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
        conditions, params = window('"timestamp"', lo, hi, ["client_id = %s"], [client_id])
        return await self._keyset(
            SELECT_ENTRIES,
            conditions,
            params,
            ('"timestamp"', "id"),
            (listing_scope("billing", client_id), limit, after, int),
            to_entry,
            billing_key,
        )

    async def usage_totals(
        self, client_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> BillingTotals:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        lo, hi = check_window(start, end)
        conditions, params = window('"timestamp"', lo, hi, ["client_id = %s"], [client_id])
        totals = await self._one(
            usage_totals(conditions),
            params,
            lambda r: BillingTotals(int(r[0]), r[1], r[2]),
        )
        assert totals is not None
        return totals
