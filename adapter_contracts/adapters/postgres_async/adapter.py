"""The asyncio PostgreSQL adapter, assembled from its parts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from adapter_contracts.adapters.errors import AdapterError
from adapter_contracts.adapters.postgres_async.billing import BillingMethods
from adapter_contracts.adapters.postgres_async.clients import ClientMethods
from adapter_contracts.adapters.postgres_async.schema import SchemaMethods
from adapter_contracts.adapters.postgres_async.users import UserMethods

__all__ = ["AsyncPostgresAdapter"]


class AsyncPostgresAdapter(SchemaMethods, UserMethods, ClientMethods, BillingMethods):
    """The contract over PostgreSQL through asyncpg; ``conninfo`` is a libpq DSN or URL."""

    unsupported: ClassVar[Mapping[str, type[AdapterError]]] = {}
