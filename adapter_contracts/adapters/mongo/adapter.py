"""The MongoDB adapter, assembled from its parts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from adapter_contracts.adapters.errors import AdapterError, Unsupported
from adapter_contracts.adapters.mongo.billing import BillingMethods
from adapter_contracts.adapters.mongo.clients import ClientMethods
from adapter_contracts.adapters.mongo.schema import SchemaMethods
from adapter_contracts.adapters.mongo.users import UserMethods

__all__ = ["MongoAdapter"]


class MongoAdapter(SchemaMethods, UserMethods, ClientMethods, BillingMethods):
    """The adapter over one database of a MongoDB server (or of a mongomock client)."""

    unsupported: ClassVar[Mapping[str, type[AdapterError]]] = {"usage_batch": Unsupported}
