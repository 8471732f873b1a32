"""Billing: entries ordered by (timestamp, seq) from the counters collection, summed exactly as Decimal128."""

from __future__ import annotations

import functools
from datetime import datetime
from decimal import Decimal

from bson.decimal128 import Decimal128

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.cursor import billing_key, listing_scope
from adapter_contracts.adapters.mongo.codecs import amount, format_timestamp, to_entry
from adapter_contracts.adapters.mongo.paging import window
from adapter_contracts.adapters.mongo_async.connection import AsyncMongoConnection
from adapter_contracts.adapters.records import BillingEntry, BillingTotals, Page
from adapter_contracts.adapters.validation import check_key, check_limit, check_usage, check_window


class BillingMethods(AsyncMongoConnection):
    """Billing entries (no batch: a standalone server cannot make one atomic)."""

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
        await self._require(self._clients, client_id, "client_id")
        if admin_id is not None:
            await self._require(self._users, admin_id, "admin_id")
        seq = await self._next_seq()
        await self._billing.insert_one({
            "clientId": client_id, "timestamp": format_timestamp(ts),
            "tokensUsed": Decimal128(tokens), "cost": Decimal128(amount), "adminId": admin_id, "seq": seq,
        })
        undo = functools.partial(self._billing.delete_one, {"seq": seq})
        await self._confirm(self._clients, client_id, "client_id", undo)
        if admin_id is not None:
            await self._confirm(self._users, admin_id, "admin_id", undo)
        return BillingEntry(str(seq), client_id, ts, tokens, amount, admin_id)

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
        query = {"clientId": client_id, **window("timestamp", lo, hi)}
        page = (listing_scope("billing", client_id), limit, after, int)
        return await self._page(self._billing, query, ("timestamp", "seq"), page, to_entry, billing_key)

    async def usage_totals(
        self, client_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> BillingTotals:
        client_id = check_key(client_id, field="client_id", max_len=limits.ENTITY_ID_MAX)
        lo, hi = check_window(start, end)
        query = {"clientId": client_id, **window("timestamp", lo, hi)}
        # $sum over Decimal128 is exact on MongoDB (34 digits) and on mongomock
        # (Python Decimal, 28 digits: exact while a sum stays below 10^24).
        group = {"_id": None, "count": {"$sum": 1}, "tokens": {"$sum": "$tokensUsed"}, "cost": {"$sum": "$cost"}}
        found = await self._billing.aggregate([{"$match": query}, {"$group": group}])
        if not found:  # $group over no documents yields no document, not zeros
            return BillingTotals(0, Decimal(0), Decimal(0))
        return BillingTotals(int(found[0]["count"]), amount(found[0]["tokens"]), amount(found[0]["cost"]))
