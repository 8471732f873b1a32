"""Defects in exact values: sums rounded, timestamps losing or rounding their milliseconds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any

from adapter_contracts.adapters.memory import MemoryAdapter
from adapter_contracts.adapters.records import BillingEntry, BillingTotals, Campaign, Client, JSONObject, User
from adapter_contracts.harness.plugging import adapter_factory
from tests.gallery.support import on_engine_store, rewrite

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.base import Endpoint


class TotalsRoundedToCents(MemoryAdapter):
    """usage_totals rounds sums to 2 places, as a money-typed aggregate or a float-to-cents helper would."""

    def usage_totals(
        self, client_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> BillingTotals:
        exact = super().usage_totals(client_id, start=start, end=end)
        cents = Decimal("0.01")
        return BillingTotals(
            exact.count,
            exact.tokens_used.quantize(cents, ROUND_HALF_EVEN),
            exact.cost.quantize(cents, ROUND_HALF_EVEN),
        )


class _RewritesTimestamps(MemoryAdapter):
    """Every caller-supplied creation time and billing timestamp goes through ``_store_time`` first."""

    def _store_time(self, value: datetime) -> datetime:
        raise NotImplementedError

    def _time(self, value: Any) -> Any:
        change: Callable[[datetime], datetime] = self._store_time
        return rewrite(value, change)

    def create_user(self, *, email: str, password_hash: str, name: str | None = None, id: str | None = None,
                    created_at: datetime | None = None) -> User:
        return super().create_user(email=email, password_hash=password_hash, name=name, id=id,
                                   created_at=self._time(created_at))

    def create_campaign(self, *, user_id: str, payload: JSONObject, id: str | None = None,
                        created_at: datetime | None = None) -> Campaign:
        return super().create_campaign(user_id=user_id, payload=payload, id=id, created_at=self._time(created_at))

    def create_client(self, *, payload: JSONObject, id: str | None = None,
                      created_at: datetime | None = None) -> Client:
        return super().create_client(payload=payload, id=id, created_at=self._time(created_at))

    def record_usage(self, client_id: str, *, timestamp: datetime, tokens_used: Decimal | int,
                     cost: Decimal | int, admin_id: str | None = None) -> BillingEntry:
        return super().record_usage(client_id, timestamp=self._time(timestamp), tokens_used=tokens_used,
                                    cost=cost, admin_id=admin_id)


class TimestampsCutToSeconds(_RewritesTimestamps):
    """Timestamps land in second-precision columns (MySQL TIMESTAMP(0), MariaDB truncating)."""

    def _store_time(self, value: datetime) -> datetime:
        return value.replace(microsecond=0)


class TimestampsRoundedToMs(_RewritesTimestamps):
    """Timestamps are rounded to the nearest millisecond (as MySQL's fractional columns do), not truncated."""

    def _store_time(self, value: datetime) -> datetime:
        return value + timedelta(microseconds=500)  # the shared truncation then completes the rounding


@adapter_factory(engine="memory")
def totals_rounded_to_cents(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(TotalsRoundedToCents, endpoint)


@adapter_factory(engine="memory")
def timestamps_cut_to_seconds(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(TimestampsCutToSeconds, endpoint)


@adapter_factory(engine="memory")
def timestamps_rounded_to_ms(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(TimestampsRoundedToMs, endpoint)
