"""The MySQL-family adapter, assembled from its parts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from adapter_contracts.adapters.errors import AdapterError
from adapter_contracts.adapters.mysql.billing import BillingMethods
from adapter_contracts.adapters.mysql.clients import ClientMethods
from adapter_contracts.adapters.mysql.schema import SchemaMethods
from adapter_contracts.adapters.mysql.users import UserMethods

__all__ = ["MySQLAdapter"]


class MySQLAdapter(SchemaMethods, UserMethods, ClientMethods, BillingMethods):
    """Storage on one MySQL/MariaDB database through a single PyMySQL connection."""

    unsupported: ClassVar[Mapping[str, type[AdapterError]]] = {}
