"""The reference adapter, assembled from its parts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from adapter_contracts.adapters.errors import AdapterError, Unsupported
from adapter_contracts.adapters.memory.billing import BillingMethods
from adapter_contracts.adapters.memory.clients import ClientMethods
from adapter_contracts.adapters.memory.users import UserMethods

__all__ = ["MemoryAdapter"]


class MemoryAdapter(UserMethods, ClientMethods, BillingMethods):
    """Reference implementation over a :class:`MemoryStore` (a fresh one by default)."""

    unsupported: ClassVar[Mapping[str, type[AdapterError]]] = {"schema_declaration": Unsupported}
