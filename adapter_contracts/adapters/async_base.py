"""The asyncio flavour of the adapter contract: :class:`AsyncAdapter`, the same interface as coroutines.

Every operation of :class:`~adapter_contracts.adapters.base.Adapter` is here
with the same name, parameters, records, errors and semantics (the module
docstring of ``adapters/base.py`` is normative for both), as a coroutine.  The
two cannot drift: :func:`check_mirrors` runs when this module is imported and
refuses an ``AsyncAdapter`` whose methods, parameters or defaults differ from
``Adapter``'s (``tests/test_async_interface.py`` also runs it).

What asyncio adds, and the async-native contracts check
(``contracts/test_async.py``):

* Cancellation: a task cancelled at any await point of an operation leaves
  the operation either completed or without any write (a cascade included),
  no connection inside a transaction, and the instance usable.
* One instance may be shared by many tasks of one event loop at once; the
  results are those of some serial order (one connection is never used by two
  tasks at the same time: a pool, or a lock around the connection).
* No blocking call on the event loop: every driver call is awaited.
* ``asyncio.timeout`` around an operation is a cancellation like any other.

An instance belongs to the event loop it was made on (its connections do); the
harness makes and uses it on one loop, in one thread of its own
(:mod:`adapter_contracts.harness.bridge`).
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, ClassVar

from adapter_contracts.adapters.base import UNSET, Adapter, Unset
from adapter_contracts.adapters.errors import AdapterError, Unsupported
from adapter_contracts.adapters.records import (
    BillingEntry,
    BillingTotals,
    Campaign,
    Client,
    ClientCampaign,
    ClientOAuth,
    JSONObject,
    Page,
    UsageInput,
    User,
    UserIntegration,
    UserSetup,
    UserWorkspace,
)

__all__ = ["AsyncAdapter", "check_mirrors", "operations"]


class AsyncAdapter(ABC):
    """Storage for the ten entities, as coroutines.  Every method is part of the contract."""

    #: As :attr:`Adapter.unsupported`.
    unsupported: ClassVar[Mapping[str, type[AdapterError]]] = {
        "usage_batch": Unsupported,
        "schema_declaration": Unsupported,
    }

    # -- lifecycle -----------------------------------------------------------

    @abstractmethod
    async def create_schema(self) -> None:
        """Create tables/collections and indexes if missing; safe to call repeatedly."""

    async def expected_schema(self) -> dict[str, Any]:
        """Optional capability ``schema_declaration``, as :meth:`Adapter.expected_schema`."""
        raise Unsupported("schema_declaration")

    @abstractmethod
    async def close(self) -> None:
        """Release connections.  The instance is unusable afterwards."""

    async def __aenter__(self) -> AsyncAdapter:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- users ---------------------------------------------------------------

    @abstractmethod
    async def create_user(
        self,
        *,
        email: str,
        password_hash: str,
        name: str | None = None,
        id: str | None = None,
        created_at: datetime | None = None,
    ) -> User:
        """Create a user; a uuid4 id is generated when ``id`` is None.

        Raises Conflict("id") or Conflict("email") (normalised) when taken;
        when both are taken, Conflict("id").
        """

    @abstractmethod
    async def get_user(self, user_id: str) -> User | None:
        """The user with exactly this id, or None."""

    @abstractmethod
    async def get_user_by_email(self, email: str) -> User | None:
        """The user whose normalised email equals the normalised argument, or None."""

    @abstractmethod
    async def update_user(
        self,
        user_id: str,
        *,
        email: str | Unset = UNSET,
        password_hash: str | Unset = UNSET,
        name: str | Unset | None = UNSET,
    ) -> User:
        """Change the given fields; NotFound if no such user, Conflict("email") if taken."""

    @abstractmethod
    async def delete_user(self, user_id: str) -> bool:
        """Delete the user and cascade (see module doc); False if it did not exist."""

    # -- user setup and workspace -------------------------------------------

    @abstractmethod
    async def get_user_setup(self, user_id: str) -> UserSetup | None: ...

    @abstractmethod
    async def save_user_setup(
        self,
        user_id: str,
        *,
        is_setup_complete: bool,
        completed_at: datetime | None = None,
        setup_data: JSONObject | None = None,
    ) -> UserSetup:
        """Insert or replace the user's setup; MissingReference("user_id") if no user."""

    @abstractmethod
    async def get_user_workspace(self, user_id: str) -> UserWorkspace | None: ...

    @abstractmethod
    async def save_user_workspace(self, user_id: str, workspace: JSONObject) -> UserWorkspace:
        """Insert or replace the workspace; MissingReference("user_id") if no user."""

    # -- user integrations ---------------------------------------------------

    @abstractmethod
    async def save_integration(
        self, user_id: str, category: str, provider: str, data: JSONObject
    ) -> UserIntegration:
        """Upsert on (user_id, category, provider); MissingReference("user_id") if no user."""

    @abstractmethod
    async def get_integration(self, user_id: str, category: str, provider: str) -> UserIntegration | None: ...

    @abstractmethod
    async def list_integrations(self, user_id: str, *, category: str | None = None) -> list[UserIntegration]:
        """The user's integrations (optionally one category), ordered by (category, provider)
        in code-point order."""

    @abstractmethod
    async def delete_integration(self, user_id: str, category: str, provider: str) -> bool: ...

    # -- campaigns -----------------------------------------------------------

    @abstractmethod
    async def create_campaign(
        self,
        *,
        user_id: str,
        payload: JSONObject,
        id: str | None = None,
        created_at: datetime | None = None,
    ) -> Campaign:
        """Create a campaign; MissingReference("user_id"), Conflict("id")."""

    @abstractmethod
    async def get_campaign(self, campaign_id: str) -> Campaign | None: ...

    @abstractmethod
    async def update_campaign(self, campaign_id: str, payload: JSONObject) -> Campaign:
        """Replace (not merge) the payload; NotFound if no such campaign."""

    @abstractmethod
    async def delete_campaign(self, campaign_id: str) -> bool: ...

    @abstractmethod
    async def list_campaigns(
        self,
        user_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
        after: str | None = None,
    ) -> Page[Campaign]:
        """Campaigns with created_at in [start, end), ordered by (created_at, id).

        ``limit`` (1..1000) pages the listing; ``after`` is a previous page's
        ``next_cursor`` of this user's campaigns (anything else, including another
        listing's or another user's cursor, is ValidationError("after")).  Without
        ``limit`` the whole window is one page.
        """

    # -- clients -------------------------------------------------------------

    @abstractmethod
    async def create_client(
        self, *, payload: JSONObject, id: str | None = None, created_at: datetime | None = None
    ) -> Client:
        """Create a client; a uuid4 id is generated when ``id`` is None; Conflict("id")."""

    @abstractmethod
    async def get_client(self, client_id: str) -> Client | None: ...

    @abstractmethod
    async def update_client(self, client_id: str, payload: JSONObject) -> Client:
        """Replace the payload; NotFound if no such client."""

    @abstractmethod
    async def delete_client(self, client_id: str) -> bool:
        """Delete the client and cascade (see module doc); False if it did not exist."""

    @abstractmethod
    async def list_clients(self, *, limit: int | None = None, after: str | None = None) -> Page[Client]:
        """All clients ordered by (created_at, id), keyset-paginated like campaigns."""

    # -- admin links ---------------------------------------------------------

    @abstractmethod
    async def link_admin(self, admin_id: str, client_id: str) -> bool:
        """Link a user as admin of a client; True if the link is new, False if it existed.

        MissingReference("admin_id") / MissingReference("client_id").
        """

    @abstractmethod
    async def unlink_admin(self, admin_id: str, client_id: str) -> bool: ...

    @abstractmethod
    async def list_admin_clients(self, admin_id: str) -> list[str]:
        """Ids of the clients this user administers, in code-point order."""

    @abstractmethod
    async def list_client_admins(self, client_id: str) -> list[str]:
        """Ids of the users administering this client, in code-point order."""

    # -- client oauth --------------------------------------------------------

    @abstractmethod
    async def save_oauth(self, client_id: str, platform: str, data: JSONObject) -> ClientOAuth:
        """Upsert on (client_id, platform); MissingReference("client_id")."""

    @abstractmethod
    async def get_oauth(self, client_id: str, platform: str) -> ClientOAuth | None: ...

    @abstractmethod
    async def list_oauth(self, client_id: str) -> list[ClientOAuth]:
        """The client's oauth rows ordered by platform in code-point order."""

    @abstractmethod
    async def delete_oauth(self, client_id: str, platform: str) -> bool: ...

    # -- client campaigns ----------------------------------------------------

    @abstractmethod
    async def save_client_campaign(self, id: str, *, client_id: str, payload: JSONObject) -> ClientCampaign:
        """Upsert by id (client_id and payload are replaced); MissingReference("client_id")."""

    @abstractmethod
    async def get_client_campaign(self, campaign_id: str) -> ClientCampaign | None: ...

    @abstractmethod
    async def list_client_campaigns(self, client_id: str) -> list[ClientCampaign]:
        """The client's campaigns ordered by id in code-point order."""

    @abstractmethod
    async def delete_client_campaign(self, campaign_id: str) -> bool: ...

    # -- billing -------------------------------------------------------------

    @abstractmethod
    async def record_usage(
        self,
        client_id: str,
        *,
        timestamp: datetime,
        tokens_used: Decimal | int,
        cost: Decimal | int,
        admin_id: str | None = None,
    ) -> BillingEntry:
        """Append one entry; MissingReference("client_id") / MissingReference("admin_id")."""

    async def record_usage_batch(self, client_id: str, entries: Sequence[UsageInput]) -> list[BillingEntry]:
        """Optional capability ``usage_batch``: append many entries atomically, in order.

        Every entry is validated (fields reported as ``entries[i].name``) and
        every reference checked before anything is written; then all entries
        are written or none.  Insertion order is the sequence order.  An empty
        sequence writes nothing and returns [].
        """
        raise Unsupported("usage_batch")

    @abstractmethod
    async def list_usage(
        self,
        client_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int | None = None,
        after: str | None = None,
    ) -> Page[BillingEntry]:
        """Entries with timestamp in [start, end), ordered by (timestamp, insertion order)."""

    @abstractmethod
    async def usage_totals(
        self, client_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> BillingTotals:
        """Count and exact sums over [start, end); an empty window is (0, 0, 0)."""


def operations(cls: type[Any] = Adapter) -> tuple[str, ...]:
    """The interface's operations: its public methods (lifecycle included), sorted."""
    return tuple(sorted(name for name, value in vars(cls).items()
                        if not name.startswith("_") and inspect.isfunction(value)))


def check_mirrors() -> None:
    """Raise TypeError unless AsyncAdapter has exactly Adapter's operations, each a coroutine with the same
    parameters (names, kinds, defaults) and the same abstractness."""
    sync_ops, async_ops = operations(Adapter), operations(AsyncAdapter)
    if sync_ops != async_ops:
        raise TypeError(f"AsyncAdapter drifted from Adapter: only in Adapter {sorted(set(sync_ops) - set(async_ops))}, "
                        f"only in AsyncAdapter {sorted(set(async_ops) - set(sync_ops))}")
    for name in sync_ops:
        sync, coro = getattr(Adapter, name), getattr(AsyncAdapter, name)
        if not inspect.iscoroutinefunction(coro):
            raise TypeError(f"AsyncAdapter.{name} is not a coroutine function")
        sync_params = [(p.name, p.kind, p.default) for p in inspect.signature(sync).parameters.values()]
        async_params = [(p.name, p.kind, p.default) for p in inspect.signature(coro).parameters.values()]
        if sync_params != async_params:
            raise TypeError(f"AsyncAdapter.{name} takes {async_params}, Adapter.{name} {sync_params}")
        if getattr(sync, "__isabstractmethod__", False) != getattr(coro, "__isabstractmethod__", False):
            raise TypeError(f"AsyncAdapter.{name} and Adapter.{name} differ in being abstract")
    if dict(Adapter.unsupported) != dict(AsyncAdapter.unsupported):
        raise TypeError("AsyncAdapter.unsupported differs from Adapter.unsupported")


check_mirrors()
