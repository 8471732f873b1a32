"""The adapter contract: one typed interface every storage adapter implements.

Semantics shared by every adapter (the README's SPEC section repeats them; the
reference adapter in :mod:`adapter_contracts.adapters.memory` is their executable form):

* Keys (ids, category, provider, platform) compare exactly: case-, accent- and
  trailing-space-sensitive.  Limits: user ids 36, campaign/client ids 64,
  category/provider 128, platform 64, email and name 255 characters.  Longer
  input is a :class:`ValidationError`, never truncation.
* Email is normalised on write and on lookup by exactly ``str.strip()`` then
  ``str.lower()`` (not casefold(), not SQL LOWER(), no Unicode normalisation
  form); uniqueness holds on the normalised form, compared exactly; accents are
  kept ("josé@x" != "jose@x") and "straße@x" != "strasse@x".
* Timestamps are timezone-aware in, UTC out, truncated to milliseconds, within
  1970-01-01..9999-12-31 UTC.  Naive input is a ValidationError.  The adapter,
  not the database, supplies ``created_at`` when the caller does not.
* Amounts (tokens_used, cost) are Decimal or int: finite, >= 0, < 10^14, at
  most 4 decimal places.  Sums are exact; an empty window totals 0 with count 0.
* Payloads are JSON objects in the portable domain (see
  :func:`adapter_contracts.adapters.validation.check_payload`); they round-trip equal by value,
  and returned payloads are copies.
* A child whose parent does not exist raises :class:`MissingReference`.  When
  several arguments are invalid or missing, the first in signature order is
  the one reported.
* Deleting a user removes its setup, workspace, integrations, campaigns and
  admin links, and keeps billing entries with ``admin_id`` set to None.
  Deleting a client removes its admin links, oauth rows, client campaigns and
  billing entries.
* An operation that raises writes nothing.  A second adapter instance on the
  same storage sees committed writes at once.
* Listings for a parent that does not exist are empty, not errors.
* An instance may be used by one thread at a time; use one instance per
  worker for concurrency.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, ClassVar, Final

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

__all__ = ["UNSET", "Adapter", "Unset"]


class Unset(enum.Enum):
    """Marks an update argument the caller did not pass."""

    UNSET = enum.auto()


UNSET: Final = Unset.UNSET


class Adapter(ABC):
    """Storage for the ten entities.  Every method is part of the contract."""

    #: Optional capabilities this adapter does not support, by name from the
    #: harness capability registry (harness/capabilities.py), each mapped to the
    #: error it raises instead; the suite checks that it does.  Core entity
    #: operations are never optional.  The base class implements no optional
    #: capability, so it declares them all; an adapter that implements one
    #: overrides the method and drops the name from this mapping.
    unsupported: ClassVar[Mapping[str, type[AdapterError]]] = {
        "usage_batch": Unsupported,
        "schema_declaration": Unsupported,
    }

    # -- lifecycle -----------------------------------------------------------

    @abstractmethod
    def create_schema(self) -> None:
        """Create tables/collections and indexes if missing; safe to call repeatedly."""

    def expected_schema(self) -> dict[str, Any]:
        """Optional capability ``schema_declaration``: the schema this adapter expects.

        A JSON-able document in the harness's canonical form (see
        harness/schema), compared with the live storage by the schema drift
        contract.  The default declares nothing.
        """
        raise Unsupported("schema_declaration")

    @abstractmethod
    def close(self) -> None:
        """Release connections.  The instance is unusable afterwards."""

    def __enter__(self) -> Adapter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- users ---------------------------------------------------------------

    @abstractmethod
    def create_user(
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
    def get_user(self, user_id: str) -> User | None:
        """The user with exactly this id, or None."""

    @abstractmethod
    def get_user_by_email(self, email: str) -> User | None:
        """The user whose normalised email equals the normalised argument, or None."""

    @abstractmethod
    def update_user(
        self,
        user_id: str,
        *,
        email: str | Unset = UNSET,
        password_hash: str | Unset = UNSET,
        name: str | Unset | None = UNSET,
    ) -> User:
        """Change the given fields; NotFound if no such user, Conflict("email") if taken."""

    @abstractmethod
    def delete_user(self, user_id: str) -> bool:
        """Delete the user and cascade (see module doc); False if it did not exist."""

    # -- user setup and workspace -------------------------------------------

    @abstractmethod
    def get_user_setup(self, user_id: str) -> UserSetup | None: ...

    @abstractmethod
    def save_user_setup(
        self,
        user_id: str,
        *,
        is_setup_complete: bool,
        completed_at: datetime | None = None,
        setup_data: JSONObject | None = None,
    ) -> UserSetup:
        """Insert or replace the user's setup; MissingReference("user_id") if no user."""

    @abstractmethod
    def get_user_workspace(self, user_id: str) -> UserWorkspace | None: ...

    @abstractmethod
    def save_user_workspace(self, user_id: str, workspace: JSONObject) -> UserWorkspace:
        """Insert or replace the workspace; MissingReference("user_id") if no user."""

    # -- user integrations ---------------------------------------------------

    @abstractmethod
    def save_integration(
        self, user_id: str, category: str, provider: str, data: JSONObject
    ) -> UserIntegration:
        """Upsert on (user_id, category, provider); MissingReference("user_id") if no user."""

    @abstractmethod
    def get_integration(self, user_id: str, category: str, provider: str) -> UserIntegration | None: ...

    @abstractmethod
    def list_integrations(self, user_id: str, *, category: str | None = None) -> list[UserIntegration]:
        """The user's integrations (optionally one category), ordered by (category, provider)
        in code-point order."""

    @abstractmethod
    def delete_integration(self, user_id: str, category: str, provider: str) -> bool: ...

    # -- campaigns -----------------------------------------------------------

    @abstractmethod
    def create_campaign(
        self,
        *,
        user_id: str,
        payload: JSONObject,
        id: str | None = None,
        created_at: datetime | None = None,
    ) -> Campaign:
        """Create a campaign; MissingReference("user_id"), Conflict("id")."""

    @abstractmethod
    def get_campaign(self, campaign_id: str) -> Campaign | None: ...

    @abstractmethod
    def update_campaign(self, campaign_id: str, payload: JSONObject) -> Campaign:
        """Replace (not merge) the payload; NotFound if no such campaign."""

    @abstractmethod
    def delete_campaign(self, campaign_id: str) -> bool: ...

    @abstractmethod
    def list_campaigns(
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
    def create_client(
        self, *, payload: JSONObject, id: str | None = None, created_at: datetime | None = None
    ) -> Client:
        """Create a client; a uuid4 id is generated when ``id`` is None; Conflict("id")."""

    @abstractmethod
    def get_client(self, client_id: str) -> Client | None: ...

    @abstractmethod
    def update_client(self, client_id: str, payload: JSONObject) -> Client:
        """Replace the payload; NotFound if no such client."""

    @abstractmethod
    def delete_client(self, client_id: str) -> bool:
        """Delete the client and cascade (see module doc); False if it did not exist."""

    @abstractmethod
    def list_clients(self, *, limit: int | None = None, after: str | None = None) -> Page[Client]:
        """All clients ordered by (created_at, id), keyset-paginated like campaigns."""

    # -- admin links ---------------------------------------------------------

    @abstractmethod
    def link_admin(self, admin_id: str, client_id: str) -> bool:
        """Link a user as admin of a client; True if the link is new, False if it existed.

        MissingReference("admin_id") / MissingReference("client_id").
        """

    @abstractmethod
    def unlink_admin(self, admin_id: str, client_id: str) -> bool: ...

    @abstractmethod
    def list_admin_clients(self, admin_id: str) -> list[str]:
        """Ids of the clients this user administers, in code-point order."""

    @abstractmethod
    def list_client_admins(self, client_id: str) -> list[str]:
        """Ids of the users administering this client, in code-point order."""

    # -- client oauth --------------------------------------------------------

    @abstractmethod
    def save_oauth(self, client_id: str, platform: str, data: JSONObject) -> ClientOAuth:
        """Upsert on (client_id, platform); MissingReference("client_id")."""

    @abstractmethod
    def get_oauth(self, client_id: str, platform: str) -> ClientOAuth | None: ...

    @abstractmethod
    def list_oauth(self, client_id: str) -> list[ClientOAuth]:
        """The client's oauth rows ordered by platform in code-point order."""

    @abstractmethod
    def delete_oauth(self, client_id: str, platform: str) -> bool: ...

    # -- client campaigns ----------------------------------------------------

    @abstractmethod
    def save_client_campaign(self, id: str, *, client_id: str, payload: JSONObject) -> ClientCampaign:
        """Upsert by id (client_id and payload are replaced); MissingReference("client_id")."""

    @abstractmethod
    def get_client_campaign(self, campaign_id: str) -> ClientCampaign | None: ...

    @abstractmethod
    def list_client_campaigns(self, client_id: str) -> list[ClientCampaign]:
        """The client's campaigns ordered by id in code-point order."""

    @abstractmethod
    def delete_client_campaign(self, campaign_id: str) -> bool: ...

    # -- billing -------------------------------------------------------------

    @abstractmethod
    def record_usage(
        self,
        client_id: str,
        *,
        timestamp: datetime,
        tokens_used: Decimal | int,
        cost: Decimal | int,
        admin_id: str | None = None,
    ) -> BillingEntry:
        """Append one entry; MissingReference("client_id") / MissingReference("admin_id")."""

    def record_usage_batch(self, client_id: str, entries: Sequence[UsageInput]) -> list[BillingEntry]:
        """Optional capability ``usage_batch``: append many entries atomically, in order.

        Every entry is validated (fields reported as ``entries[i].name``) and
        every reference checked before anything is written; then all entries
        are written or none.  Insertion order is the sequence order.  An empty
        sequence writes nothing and returns [].
        """
        raise Unsupported("usage_batch")

    @abstractmethod
    def list_usage(
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
    def usage_totals(
        self, client_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> BillingTotals:
        """Count and exact sums over [start, end); an empty window is (0, 0, 0)."""
