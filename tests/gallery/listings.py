"""Defects in listings: a keyset cursor missing its tie-breaker, a window closed at the wrong end."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from adapter_contracts.adapters.cursor import decode_cursor, encode_cursor, listing_scope
from adapter_contracts.adapters.memory import MemoryAdapter
from adapter_contracts.adapters.records import BillingEntry, BillingTotals, Campaign, Page
from adapter_contracts.adapters.validation import epoch_ms
from adapter_contracts.harness.plugging import adapter_factory
from tests.gallery.support import on_engine_store, rewrite

if TYPE_CHECKING:
    from collections.abc import Callable

    from adapter_contracts.harness.engines.base import Endpoint

T = TypeVar("T")


def _after_timestamp_only(whole: Page[T], last_ms: int, limit: int | None, stamp: Callable[[T], datetime],
                          position: Callable[[T], tuple[int, Any]], scope: str) -> Page[T]:
    rest = [row for row in whole.items if epoch_ms(stamp(row)) > last_ms]
    if limit is None or len(rest) <= limit:
        return Page(tuple(rest), None)
    page = rest[:limit]
    return Page(tuple(page), encode_cursor(scope, *position(page[-1])))


class PagingSkipsTies(MemoryAdapter):
    """The next page starts after the last row's timestamp (``WHERE created_at > :last``), not after
    (timestamp, id): rows sharing the boundary timestamp are skipped."""

    def list_campaigns(self, user_id: str, *, start: datetime | None = None, end: datetime | None = None,
                       limit: int | None = None, after: str | None = None) -> Page[Campaign]:
        page = super().list_campaigns(user_id, start=start, end=end, limit=limit, after=after)  # validates
        if after is None:
            return page
        scope = listing_scope("campaigns", user_id)
        last_ms = int(decode_cursor(after, scope, int, str)[0])
        return _after_timestamp_only(super().list_campaigns(user_id, start=start, end=end), last_ms, limit,
                                     lambda c: c.created_at, lambda c: (epoch_ms(c.created_at), c.id), scope)

    def list_usage(self, client_id: str, *, start: datetime | None = None, end: datetime | None = None,
                   limit: int | None = None, after: str | None = None) -> Page[BillingEntry]:
        page = super().list_usage(client_id, start=start, end=end, limit=limit, after=after)  # validates
        if after is None:
            return page
        scope = listing_scope("billing", client_id)
        last_ms = int(decode_cursor(after, scope, int, int)[0])
        return _after_timestamp_only(super().list_usage(client_id, start=start, end=end), last_ms, limit,
                                     lambda e: e.timestamp, lambda e: (epoch_ms(e.timestamp), int(e.id)), scope)


def _inclusive(end: Any) -> Any:
    # Timestamps are whole milliseconds, so "< end + 1 ms" is "<= end".
    return rewrite(end, lambda value: value + timedelta(milliseconds=1))


class WindowEndInclusive(MemoryAdapter):
    """Windows are [start, end] (SQL BETWEEN) instead of [start, end)."""

    def list_campaigns(self, user_id: str, *, start: datetime | None = None, end: datetime | None = None,
                       limit: int | None = None, after: str | None = None) -> Page[Campaign]:
        return super().list_campaigns(user_id, start=start, end=_inclusive(end), limit=limit, after=after)

    def list_usage(self, client_id: str, *, start: datetime | None = None, end: datetime | None = None,
                   limit: int | None = None, after: str | None = None) -> Page[BillingEntry]:
        return super().list_usage(client_id, start=start, end=_inclusive(end), limit=limit, after=after)

    def usage_totals(self, client_id: str, *, start: datetime | None = None,
                     end: datetime | None = None) -> BillingTotals:
        return super().usage_totals(client_id, start=start, end=_inclusive(end))


@adapter_factory(engine="memory")
def paging_skips_ties(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(PagingSkipsTies, endpoint)


@adapter_factory(engine="memory")
def window_end_inclusive(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(WindowEndInclusive, endpoint)
