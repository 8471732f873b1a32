"""The asyncio MongoDB adapter, assembled from its parts, its writes shielded from cancellation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from adapter_contracts.adapters.errors import AdapterError, Unsupported
from adapter_contracts.adapters.mongo_async.billing import BillingMethods
from adapter_contracts.adapters.mongo_async.clients import ClientMethods
from adapter_contracts.adapters.mongo_async.connection import shielded
from adapter_contracts.adapters.mongo_async.schema import SchemaMethods
from adapter_contracts.adapters.mongo_async.users import UserMethods

__all__ = ["WRITES", "AsyncMongoAdapter"]

#: The operations that write: each a sequence of single-document steps, run to its end once begun.
WRITES = (
    "create_schema", "create_user", "update_user", "delete_user", "save_user_setup", "save_user_workspace",
    "save_integration", "delete_integration", "create_campaign", "update_campaign", "delete_campaign",
    "create_client", "update_client", "delete_client", "link_admin", "unlink_admin", "save_oauth", "delete_oauth",
    "save_client_campaign", "delete_client_campaign", "record_usage",
)


class AsyncMongoAdapter(SchemaMethods, UserMethods, ClientMethods, BillingMethods):
    """The adapter over one database of a MongoDB server (or of the stand-in's client), as coroutines."""

    unsupported: ClassVar[Mapping[str, type[AdapterError]]] = {"usage_batch": Unsupported}


for _name in WRITES:
    setattr(AsyncMongoAdapter, _name, shielded(getattr(AsyncMongoAdapter, _name)))
