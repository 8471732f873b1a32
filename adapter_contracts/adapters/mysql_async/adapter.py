"""The asyncio MySQL/MariaDB adapter, assembled from its parts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from adapter_contracts.adapters.errors import AdapterError
from adapter_contracts.adapters.mysql_async.billing import BillingMethods
from adapter_contracts.adapters.mysql_async.clients import ClientMethods
from adapter_contracts.adapters.mysql_async.schema import SchemaMethods
from adapter_contracts.adapters.mysql_async.users import UserMethods

__all__ = ["AsyncMySQLAdapter"]


class AsyncMySQLAdapter(SchemaMethods, UserMethods, ClientMethods, BillingMethods):
    """The contract over MySQL 8 / MariaDB through aiomysql, on the sync adapter's layout."""

    unsupported: ClassVar[Mapping[str, type[AdapterError]]] = {}
