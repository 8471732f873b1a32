"""Billing: entries appended in AUTO_INCREMENT order, keyset-paged, summed exactly."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.cursor import billing_key, keyset_page, listing_scope
from adapter_contracts.adapters.errors import AdapterError, MissingReference
from adapter_contracts.adapters.mysql.codecs import naive, to_entry
from adapter_contracts.adapters.mysql.paging import decode_after, window_sql
from adapter_contracts.adapters.mysql.statements import (
    BILLING_COLUMNS,
    INSERT_ENTRY,
    INSERT_ENTRY_IF_CLIENT,
    SELECT_AUTOINC_SETTINGS,
    insert_entries,
    share_users,
    usage_totals,
)
from adapter_contracts.adapters.mysql_async.connection import AsyncCursor, AsyncMySQLConnection
from adapter_contracts.adapters.records import BillingEntry, BillingTotals, Page, UsageInput
from adapter_contracts.adapters.validation import (
    ValidUsage,
    check_key,
    check_limit,
    check_usage,
    check_usage_batch,
    check_window,
)

#: Rows per multi-row INSERT in record_usage_batch: ~150 KB, far below max_allowed_packet.
_BATCH_CHUNK = 1000


class BillingMethods(AsyncMySQLConnection):
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

        async def work(cur: AsyncCursor) -> BillingEntry:
            if admin_id is None:
                await cur.execute(INSERT_ENTRY_IF_CLIENT, (client_id, naive(ts), tokens, amount, client_id))
                if cur.rowcount == 0:
                    raise MissingReference("client_id")
            else:
                await self._require_client(cur, client_id)
                await self._require_user(cur, admin_id, "admin_id")
                await cur.execute(INSERT_ENTRY, (client_id, naive(ts), tokens, amount, admin_id))
            return BillingEntry(str(cur.lastrowid), client_id, ts, tokens, amount, admin_id)

        return await self._transaction(work, single=admin_id is None)

    async def record_usage_batch(self, client_id: str, entries: Sequence[UsageInput]) -> list[BillingEntry]:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        valid = check_usage_batch(entries)

        async def work(cur: AsyncCursor) -> list[BillingEntry]:
            await self._require_client(cur, client_id)
            admins = sorted({admin for *_, admin in valid if admin is not None})
            found: set[str] = set()
            for start in range(0, len(admins), _BATCH_CHUNK):
                # One locking read for many admins, as _require_user takes for one.
                part = admins[start:start + _BATCH_CHUNK]
                await cur.execute(share_users(len(part)), part)
                found.update(row[0] for row in await cur.fetchall())
            for index, (_, _, _, admin_id) in enumerate(valid):
                if admin_id is not None and admin_id not in found:
                    raise MissingReference(f"entries[{index}].admin_id")
            step = await self._autoinc_step(cur)
            if step is not None:
                return await self._insert_chunks(cur, client_id, valid, step)
            written = []
            # One INSERT per entry: lastrowid per row is exact, and the
            # sequence order is the AUTO_INCREMENT order whatever the
            # server's auto_increment_increment/lock mode.
            for ts, tokens, amount, admin_id in valid:
                await cur.execute(INSERT_ENTRY, (client_id, naive(ts), tokens, amount, admin_id))
                written.append(BillingEntry(str(cur.lastrowid), client_id, ts, tokens, amount, admin_id))
            return written

        return await self._transaction(work)

    async def _autoinc_step(self, cur: AsyncCursor) -> int | None:
        """The id step when a multi-row INSERT gets consecutive ids, else None.

        Lock modes 0 and 1 give the rows of one INSERT ... VALUES consecutive
        values (spaced by auto_increment_increment) starting at lastrowid;
        mode 2 (MySQL 8's default) may interleave them with concurrent inserts.
        """
        if not self._step_known:
            try:
                await cur.execute(SELECT_AUTOINC_SETTINGS)
                row = await cur.fetchone()
            except AdapterError:  # a proxy (Vitess) without these variables: stay exact
                row = None
            self._step = int(row[1]) if row is not None and int(row[0]) in (0, 1) else None
            self._step_known = True
        return self._step

    @staticmethod
    async def _insert_chunks(
        cur: AsyncCursor, client_id: str, valid: Sequence[ValidUsage], step: int,
    ) -> list[BillingEntry]:
        written: list[BillingEntry] = []
        for start in range(0, len(valid), _BATCH_CHUNK):
            chunk = valid[start:start + _BATCH_CHUNK]
            await cur.execute(
                insert_entries(len(chunk)),
                [value for ts, tokens, amount, admin in chunk
                 for value in (client_id, naive(ts), tokens, amount, admin)],
            )
            first = cur.lastrowid  # the first row's id for a multi-row INSERT
            assert isinstance(first, int)
            written += [BillingEntry(str(first + k * step), client_id, ts, tokens, amount, admin)
                        for k, (ts, tokens, amount, admin) in enumerate(chunk)]
        return written

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
        scope = listing_scope("billing", client_id)
        start_at = decode_after(after, scope, int)
        window, params = window_sql("`timestamp`", lo, hi)
        found = await self._keyset("client_billing", BILLING_COLUMNS, f"client_id = %s{window}", [client_id, *params],
                             "`timestamp`", start_at, limit)
        return keyset_page([to_entry(r) for r in found], limit=limit, scope=scope, key=billing_key)

    async def usage_totals(
        self, client_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> BillingTotals:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        lo, hi = check_window(start, end)
        window, params = window_sql("`timestamp`", lo, hi)
        count, tokens, cost = await self._one(usage_totals(window), [client_id, *params]) or (0, None, None)
        if not count:
            return BillingTotals(0, Decimal(0), Decimal(0))
        return BillingTotals(int(count), Decimal(tokens), Decimal(cost))
