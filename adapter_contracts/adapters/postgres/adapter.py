"""The PostgreSQL adapter, assembled from its parts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from adapter_contracts.adapters.errors import AdapterError
from adapter_contracts.adapters.postgres.billing import BillingMethods
from adapter_contracts.adapters.postgres.clients import ClientMethods
from adapter_contracts.adapters.postgres.schema import SchemaMethods
from adapter_contracts.adapters.postgres.users import UserMethods

__all__ = ["PostgresAdapter"]


class PostgresAdapter(SchemaMethods, UserMethods, ClientMethods, BillingMethods):
    """The contract over PostgreSQL; ``conninfo`` is a libpq DSN or URL."""

    unsupported: ClassVar[Mapping[str, type[AdapterError]]] = {}
