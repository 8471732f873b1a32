"""Correct adapters the suite must certify: the reference itself and one that honestly declines a capability."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from adapter_contracts.adapters.errors import AdapterError, Unsupported
from adapter_contracts.adapters.memory import MemoryAdapter
from adapter_contracts.adapters.records import BillingEntry, UsageInput
from adapter_contracts.harness.plugging import adapter_factory
from tests.gallery.support import on_engine_store

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.base import Endpoint


class DeclinesUsageBatch(MemoryAdapter):
    """The reference without the optional ``usage_batch`` capability, declared as such."""

    unsupported: ClassVar[Mapping[str, type[AdapterError]]] = {
        "schema_declaration": Unsupported,
        "usage_batch": Unsupported,
    }

    def record_usage_batch(self, client_id: str, entries: Sequence[UsageInput]) -> list[BillingEntry]:
        raise Unsupported("usage_batch")


@adapter_factory(engine="memory")
def reference(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(MemoryAdapter, endpoint)


@adapter_factory(engine="memory")
def declines_usage_batch(endpoint: Endpoint) -> MemoryAdapter:
    return on_engine_store(DeclinesUsageBatch, endpoint)
