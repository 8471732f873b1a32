"""The SQLite adapter assembled from its parts, and the factory the harness plugs in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from adapter_contracts import AdapterError, adapter_factory

from .billing import BillingMethods
from .clients import ClientMethods
from .schema import SchemaMethods
from .users import UserMethods

if TYPE_CHECKING:
    from adapter_contracts import Endpoint

__all__ = ["SQLiteAdapter", "make_adapter"]


class SQLiteAdapter(SchemaMethods, UserMethods, ClientMethods, BillingMethods):
    """The ten entities in one SQLite database file (or ``":memory:"`` for one instance)."""

    #: Implements every optional capability, including ``usage_batch``.
    unsupported: ClassVar[Mapping[str, type[AdapterError]]] = {}


@adapter_factory(engine="sqlite")
def make_adapter(endpoint: Endpoint) -> SQLiteAdapter:
    """The plug-in factory: ``pytest --adapter adapter_contracts.examples.sqlite_adapter:make_adapter``."""
    return SQLiteAdapter(str(endpoint.extra["path"]))
