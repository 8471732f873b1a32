"""A RuleBasedStateMachine that runs every operation on the adapter under test and
on a fresh :class:`~adapter_contracts.adapters.memory.MemoryAdapter`, and demands the same answers.

After each step the answers must agree (records field by field, errors by
class and field); then every read the step could have changed (its parent's
subtree, and the rows it could collide with) must agree on both adapters, and
the invariants in :mod:`adapter_contracts.contracts.model.invariants` must hold on the last
observed answer to every read.  At the end of each run both adapters' whole
observable state is read again and must agree, which catches a write that
changed something it had no business changing.  On failure Hypothesis prints
the shrunk steps as ``state.rule(arg=...)`` calls, which read as a
reproduction script.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any, ClassVar, TypeVar

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, multiple, rule

from adapter_contracts.adapters.base import UNSET, Adapter, Unset
from adapter_contracts.adapters.memory import MemoryAdapter
from adapter_contracts.adapters.records import JSONObject, Page
from adapter_contracts.contracts.model import pools as p
from adapter_contracts.contracts.model.invariants import check_integrity, first_difference
from adapter_contracts.contracts.model.observe import Outcome, assert_same, attempt
from adapter_contracts.contracts.model.views import EVERY_READ, client_view, every, label, read_state, user_view
from adapter_contracts.strategies import bad_amounts

T = TypeVar("T")

#: A page loop that has not ended after this many pages is itself a failure.
_MAX_PAGES = 200


#: What a seed with children writes per parent (the other reads stay empty).
_SEEDED_USER_READS = ("get_user", "get_user_setup", "list_integrations", "list_campaigns")
_SEEDED_CLIENT_READS = ("get_client", "list_oauth", "list_client_campaigns", "list_usage", "usage_totals")


@cache
def _empty_state() -> dict[str, Any]:
    return read_state(MemoryAdapter())


@dataclass
class RunCounts:
    """Completed runs (examples) and their steps, for the conformance report."""

    examples: int = 0
    steps: int = 0


class AdapterModel(RuleBasedStateMachine):
    """Subclassed by :func:`build_machine` with the adapter factory to test."""

    make_subject: ClassVar[Callable[[], Adapter]]
    counts: ClassVar[RunCounts]

    users = Bundle("users")
    clients = Bundle("clients")
    campaigns = Bundle("campaigns")
    client_campaigns = Bundle("client_campaigns")

    user_ids = users | st.sampled_from(p.USER_IDS)
    client_ids = clients | st.sampled_from(p.CLIENT_IDS)
    campaign_ids = campaigns | st.sampled_from(p.CAMPAIGN_IDS)
    client_campaign_ids = client_campaigns | st.sampled_from(p.CLIENT_CAMPAIGN_IDS)

    def __init__(self) -> None:
        super().__init__()
        # An exception already being handled around the run is not the run's own.
        self._outer_exception = sys.exc_info()[1]
        self.subject = type(self).make_subject()
        self.reference = MemoryAdapter()
        # The last observed answer to every read.  Storage starts empty like the
        # reference's; teardown re-reads everything, which proves that too.
        self.seen = dict(_empty_state())
        self.stale: set[str] = set()
        # Counts checks; the two seed steps share one (Hypothesis checks after the last).
        self.steps = 1

    # -- plumbing ------------------------------------------------------------

    def changes(self, *reads: str | Iterable[str]) -> None:
        """Reads this step may change; they are compared after it (unknown names are ignored)."""
        for read in reads:
            self.stale.update([read] if isinstance(read, str) else read)

    def owner(self, read: str, attribute: str, listing: str) -> list[str]:
        """``listing`` of the parent that the row ``read`` belongs to now, if it exists."""
        row = self.seen.get(read)
        parent = None if row is None else getattr(row, attribute)
        return [] if parent is None else [label(listing, parent)]

    def campaign_rows(self, campaign_id: str) -> list[str]:
        """The campaign and its current owner's listing."""
        read = label("get_campaign", campaign_id)
        return [read, *self.owner(read, "user_id", "list_campaigns")]

    def client_campaign_rows(self, campaign_id: str) -> list[str]:
        """The client campaign and its current client's listing."""
        read = label("get_client_campaign", campaign_id)
        return [read, *self.owner(read, "client_id", "list_client_campaigns")]

    @staticmethod
    def usage_rows(client_id: str) -> list[str]:
        return [label("list_usage", client_id), label("usage_totals", client_id)]

    def both(self, call: str, op: Callable[[Adapter], T]) -> Outcome[T]:
        got, want = attempt(op, self.subject), attempt(op, self.reference)
        assert_same(call, got, want)
        return want

    def pages(self, call: str, first: Callable[[Adapter], Page[Any]],
              more: Callable[[Adapter, str], Page[Any]]) -> None:
        """Compare the first page, then follow each adapter's own cursors to the end."""
        got, want = attempt(first, self.subject), attempt(first, self.reference)
        for number in range(_MAX_PAGES):
            assert_same(f"{call} page {number + 1}", got, want)
            if not want.ok or want.value is None or want.value.next_cursor is None:
                return
            if got.value is None or got.value.next_cursor is None:
                raise AssertionError(f"{call} page {number + 1}: the reference has a next page, the adapter not")
            got = attempt(lambda a, after=got.value.next_cursor: more(a, after), self.subject)
            want = attempt(lambda a, after=want.value.next_cursor: more(a, after), self.reference)
        raise AssertionError(f"{call}: more than {_MAX_PAGES} pages")

    # -- seeds: most operations need a parent, so every run starts with some -----

    @initialize(target=users, user_ids=st.lists(st.sampled_from(p.USER_IDS), min_size=1, max_size=3, unique=True),
                with_children=st.booleans())
    def seed_users(self, user_ids: list[str], with_children: bool) -> Any:
        """Users, and maybe one row of each child entity, so deletes have something to cascade."""
        written = _SEEDED_USER_READS if with_children else ("get_user",)
        self.changes([label(op, uid) for uid in user_ids for op in written])
        if with_children:
            self.changes([label("get_campaign", c) for c in p.CAMPAIGN_IDS[:len(user_ids)]])
        for n, user_id in enumerate(user_ids):
            self.both("create_user", lambda a, n=n, uid=user_id: a.create_user(
                email=p.SEED_EMAILS[n], password_hash="h", id=uid, created_at=p.TIMES[n]))
            if with_children:
                self.both("save_user_setup", lambda a, uid=user_id: a.save_user_setup(
                    uid, is_setup_complete=True, completed_at=p.T0, setup_data={"step": 1}))
                self.both("save_integration", lambda a, uid=user_id: a.save_integration(
                    uid, p.CATEGORIES[0], p.PROVIDERS[0], {"token": "t"}))
                self.both("create_campaign", lambda a, n=n, uid=user_id: a.create_campaign(
                    user_id=uid, payload={}, id=p.CAMPAIGN_IDS[n], created_at=p.TIMES[n]))
        return multiple(*user_ids)

    @initialize(target=clients, client_ids=st.lists(st.sampled_from(p.CLIENT_IDS), min_size=1, max_size=2,
                                                    unique=True), with_children=st.booleans())
    def seed_clients(self, client_ids: list[str], with_children: bool) -> Any:
        """Clients, and maybe an oauth row, a client campaign and a usage entry each."""
        written = _SEEDED_CLIENT_READS if with_children else ("get_client",)
        self.changes(label("list_clients"), [label(op, kid) for kid in client_ids for op in written])
        if with_children:
            self.changes([label("get_client_campaign", c) for c in p.CLIENT_CAMPAIGN_IDS[:len(client_ids)]])
        for n, client_id in enumerate(client_ids):
            self.both("create_client", lambda a, n=n, cid=client_id: a.create_client(
                payload={"seed": n}, id=cid, created_at=p.TIMES[n]))
            if with_children:
                self.both("save_oauth", lambda a, cid=client_id: a.save_oauth(cid, p.PLATFORMS[0], {"t": 1}))
                self.both("save_client_campaign", lambda a, n=n, cid=client_id: a.save_client_campaign(
                    p.CLIENT_CAMPAIGN_IDS[n], client_id=cid, payload={}))
                self.both("record_usage", lambda a, cid=client_id: a.record_usage(
                    cid, timestamp=p.T0, tokens_used=Decimal("10.0005"), cost=Decimal("0.0001")))
        return multiple(*client_ids)

    # -- users ---------------------------------------------------------------

    @rule(target=users, user_id=st.sampled_from(p.USER_IDS), email=st.sampled_from(p.EMAILS),
          password_hash=st.sampled_from(p.PASSWORD_HASHES), name=st.sampled_from(p.NAMES), created_at=p.times)
    def create_user(self, user_id: str, email: str, password_hash: str, name: str | None,
                    created_at: datetime) -> Any:
        self.changes(every("get_user"))  # the email could collide with any user's
        out = self.both("create_user", lambda a: a.create_user(
            email=email, password_hash=password_hash, name=name, id=user_id, created_at=created_at))
        return user_id if out.ok else multiple()

    @rule(user_id=st.sampled_from(p.BAD_KEYS), email=st.sampled_from(p.EMAILS + p.BAD_EMAILS))
    def create_user_invalid(self, user_id: str, email: str) -> None:
        self.changes(every("get_user"))
        self.both("create_user", lambda a: a.create_user(email=email, password_hash="h", id=user_id,
                                                         created_at=p.T0))

    @rule(user_id=user_ids)
    def get_user(self, user_id: str) -> None:
        self.both("get_user", lambda a: a.get_user(user_id))

    @rule(email=st.sampled_from(p.EMAILS + p.BAD_EMAILS))
    def get_user_by_email(self, email: str) -> None:
        self.both("get_user_by_email", lambda a: a.get_user_by_email(email))

    @rule(user_id=user_ids,
          email=st.just(UNSET) | st.sampled_from(p.EMAILS + p.BAD_EMAILS),
          password_hash=st.just(UNSET) | st.sampled_from(p.PASSWORD_HASHES),
          name=st.just(UNSET) | st.sampled_from(p.NAMES))
    def update_user(self, user_id: str, email: str | Unset, password_hash: str | Unset,
                    name: str | Unset | None) -> None:
        self.changes(every("get_user"))
        self.both("update_user", lambda a: a.update_user(
            user_id, email=email, password_hash=password_hash, name=name))

    @rule(user_id=user_ids)
    def delete_user(self, user_id: str) -> None:
        # Cascades to the user's rows and admin links; billing keeps its entries.
        self.changes(user_view(user_id), every("get_campaign"), every("list_client_admins"),
                     every("list_usage"), every("usage_totals"))
        self.both("delete_user", lambda a: a.delete_user(user_id))

    # -- setup and workspace -------------------------------------------------

    @rule(user_id=user_ids, is_setup_complete=st.booleans(), completed_at=p.optional_times,
          setup_data=st.none() | p.payloads)
    def save_user_setup(self, user_id: str, is_setup_complete: bool, completed_at: datetime | None,
                        setup_data: JSONObject | None) -> None:
        self.changes(label("get_user_setup", user_id))
        self.both("save_user_setup", lambda a: a.save_user_setup(
            user_id, is_setup_complete=is_setup_complete, completed_at=completed_at, setup_data=setup_data))

    @rule(user_id=user_ids, workspace=p.payloads_or_hostile)
    def save_user_workspace(self, user_id: str, workspace: JSONObject) -> None:
        self.changes(label("get_user_workspace", user_id))
        self.both("save_user_workspace", lambda a: a.save_user_workspace(user_id, workspace))

    @rule(user_id=user_ids)
    def get_setup_and_workspace(self, user_id: str) -> None:
        self.both("get_user_setup", lambda a: a.get_user_setup(user_id))
        self.both("get_user_workspace", lambda a: a.get_user_workspace(user_id))

    # -- integrations --------------------------------------------------------

    @rule(user_id=user_ids, category=st.sampled_from(p.CATEGORIES), provider=st.sampled_from(p.PROVIDERS),
          data=p.payloads)
    def save_integration(self, user_id: str, category: str, provider: str, data: JSONObject) -> None:
        self.changes(label("list_integrations", user_id))
        self.both("save_integration", lambda a: a.save_integration(user_id, category, provider, data))

    @rule(user_id=user_ids, category=st.sampled_from(p.CATEGORIES + p.BAD_KEYS),
          provider=st.sampled_from(p.PROVIDERS))
    def get_integration(self, user_id: str, category: str, provider: str) -> None:
        self.both("get_integration", lambda a: a.get_integration(user_id, category, provider))

    @rule(user_id=user_ids, category=st.none() | st.sampled_from(p.CATEGORIES))
    def list_integrations(self, user_id: str, category: str | None) -> None:
        self.both("list_integrations", lambda a: a.list_integrations(user_id, category=category))

    @rule(user_id=user_ids, category=st.sampled_from(p.CATEGORIES), provider=st.sampled_from(p.PROVIDERS))
    def delete_integration(self, user_id: str, category: str, provider: str) -> None:
        self.changes(label("list_integrations", user_id))
        self.both("delete_integration", lambda a: a.delete_integration(user_id, category, provider))

    # -- campaigns -----------------------------------------------------------

    @rule(target=campaigns, campaign_id=st.sampled_from(p.CAMPAIGN_IDS), user_id=user_ids,
          payload=p.payloads, created_at=p.times)
    def create_campaign(self, campaign_id: str, user_id: str, payload: JSONObject, created_at: datetime) -> Any:
        self.changes(self.campaign_rows(campaign_id), label("list_campaigns", user_id))
        out = self.both("create_campaign", lambda a: a.create_campaign(
            user_id=user_id, payload=payload, id=campaign_id, created_at=created_at))
        return campaign_id if out.ok else multiple()

    @rule(campaign_id=campaign_ids, payload=p.payloads_or_hostile)
    def update_campaign(self, campaign_id: str, payload: JSONObject) -> None:
        self.changes(self.campaign_rows(campaign_id))
        self.both("update_campaign", lambda a: a.update_campaign(campaign_id, payload))

    @rule(campaign_id=campaign_ids)
    def get_campaign(self, campaign_id: str) -> None:
        self.both("get_campaign", lambda a: a.get_campaign(campaign_id))

    @rule(campaign_id=campaign_ids)
    def delete_campaign(self, campaign_id: str) -> None:
        self.changes(self.campaign_rows(campaign_id))
        self.both("delete_campaign", lambda a: a.delete_campaign(campaign_id))

    @rule(user_id=user_ids, start=p.optional_times, end=p.optional_times, limit=p.page_sizes)
    def list_campaigns(self, user_id: str, start: datetime | None, end: datetime | None,
                       limit: int | None) -> None:
        self.pages("list_campaigns",
                   lambda a: a.list_campaigns(user_id, start=start, end=end, limit=limit),
                   lambda a, after: a.list_campaigns(user_id, start=start, end=end, limit=limit, after=after))

    # -- clients -------------------------------------------------------------

    @rule(target=clients, client_id=st.sampled_from(p.CLIENT_IDS), payload=p.payloads, created_at=p.times)
    def create_client(self, client_id: str, payload: JSONObject, created_at: datetime) -> Any:
        self.changes(label("get_client", client_id), label("list_clients"))
        out = self.both("create_client", lambda a: a.create_client(
            payload=payload, id=client_id, created_at=created_at))
        return client_id if out.ok else multiple()

    @rule(client_id=client_ids, payload=p.payloads_or_hostile)
    def update_client(self, client_id: str, payload: JSONObject) -> None:
        self.changes(label("get_client", client_id), label("list_clients"))
        self.both("update_client", lambda a: a.update_client(client_id, payload))

    @rule(client_id=client_ids)
    def get_client(self, client_id: str) -> None:
        self.both("get_client", lambda a: a.get_client(client_id))

    @rule(client_id=client_ids)
    def delete_client(self, client_id: str) -> None:
        # Cascades to the client's rows, its admin links and its client campaigns.
        self.changes(client_view(client_id), label("list_clients"), every("list_admin_clients"),
                     every("get_client_campaign"))
        self.both("delete_client", lambda a: a.delete_client(client_id))

    @rule(limit=p.page_sizes)
    def list_clients(self, limit: int | None) -> None:
        self.pages("list_clients", lambda a: a.list_clients(limit=limit),
                   lambda a, after: a.list_clients(limit=limit, after=after))

    @rule(after=st.sampled_from(("garbage", "k1.", "k1.WyJiaWxsaW5nIiwxLDJd")))
    def list_clients_with_foreign_cursor(self, after: str) -> None:
        # The last one is a well-formed billing cursor: it must not be accepted here.
        self.both("list_clients", lambda a: a.list_clients(limit=2, after=after))

    # -- admin links ---------------------------------------------------------

    @rule(admin_id=user_ids, client_id=client_ids)
    def link_admin(self, admin_id: str, client_id: str) -> None:
        self.changes(label("list_admin_clients", admin_id), label("list_client_admins", client_id))
        self.both("link_admin", lambda a: a.link_admin(admin_id, client_id))

    @rule(admin_id=user_ids, client_id=client_ids)
    def unlink_admin(self, admin_id: str, client_id: str) -> None:
        self.changes(label("list_admin_clients", admin_id), label("list_client_admins", client_id))
        self.both("unlink_admin", lambda a: a.unlink_admin(admin_id, client_id))

    @rule(admin_id=user_ids, client_id=client_ids)
    def list_admin_links(self, admin_id: str, client_id: str) -> None:
        self.both("list_admin_clients", lambda a: a.list_admin_clients(admin_id))
        self.both("list_client_admins", lambda a: a.list_client_admins(client_id))

    # -- oauth ---------------------------------------------------------------

    @rule(client_id=client_ids, platform=st.sampled_from(p.PLATFORMS), data=p.payloads)
    def save_oauth(self, client_id: str, platform: str, data: JSONObject) -> None:
        self.changes(label("list_oauth", client_id))
        self.both("save_oauth", lambda a: a.save_oauth(client_id, platform, data))

    @rule(client_id=client_ids, platform=st.sampled_from(p.PLATFORMS))
    def get_oauth(self, client_id: str, platform: str) -> None:
        self.both("get_oauth", lambda a: a.get_oauth(client_id, platform))

    @rule(client_id=client_ids)
    def list_oauth(self, client_id: str) -> None:
        self.both("list_oauth", lambda a: a.list_oauth(client_id))

    @rule(client_id=client_ids, platform=st.sampled_from(p.PLATFORMS))
    def delete_oauth(self, client_id: str, platform: str) -> None:
        self.changes(label("list_oauth", client_id))
        self.both("delete_oauth", lambda a: a.delete_oauth(client_id, platform))

    # -- client campaigns ----------------------------------------------------

    @rule(target=client_campaigns, campaign_id=st.sampled_from(p.CLIENT_CAMPAIGN_IDS), client_id=client_ids,
          payload=p.payloads)
    def save_client_campaign(self, campaign_id: str, client_id: str, payload: JSONObject) -> Any:
        self.changes(self.client_campaign_rows(campaign_id), label("list_client_campaigns", client_id))
        out = self.both("save_client_campaign", lambda a: a.save_client_campaign(
            campaign_id, client_id=client_id, payload=payload))
        return campaign_id if out.ok else multiple()

    @rule(campaign_id=client_campaign_ids)
    def get_client_campaign(self, campaign_id: str) -> None:
        self.both("get_client_campaign", lambda a: a.get_client_campaign(campaign_id))

    @rule(client_id=client_ids)
    def list_client_campaigns(self, client_id: str) -> None:
        self.both("list_client_campaigns", lambda a: a.list_client_campaigns(client_id))

    @rule(campaign_id=client_campaign_ids)
    def delete_client_campaign(self, campaign_id: str) -> None:
        self.changes(self.client_campaign_rows(campaign_id))
        self.both("delete_client_campaign", lambda a: a.delete_client_campaign(campaign_id))

    # -- billing -------------------------------------------------------------

    @rule(client_id=client_ids, timestamp=p.times, tokens_used=p.billing_amounts, cost=p.billing_amounts,
          admin_id=st.none() | user_ids)
    def record_usage(self, client_id: str, timestamp: datetime, tokens_used: Decimal | int,
                     cost: Decimal | int, admin_id: str | None) -> None:
        self.changes(self.usage_rows(client_id))
        self.both("record_usage", lambda a: a.record_usage(
            client_id, timestamp=timestamp, tokens_used=tokens_used, cost=cost, admin_id=admin_id))

    @rule(client_id=client_ids, cost=bad_amounts())
    def record_usage_invalid_cost(self, client_id: str, cost: object) -> None:
        self.changes(self.usage_rows(client_id))
        self.both("record_usage", lambda a: a.record_usage(
            client_id, timestamp=p.T0, tokens_used=1, cost=cost))  # type: ignore[arg-type]

    @rule(client_id=client_ids, start=p.optional_times, end=p.optional_times, limit=p.page_sizes)
    def list_usage(self, client_id: str, start: datetime | None, end: datetime | None,
                   limit: int | None) -> None:
        self.pages("list_usage",
                   lambda a: a.list_usage(client_id, start=start, end=end, limit=limit),
                   lambda a, after: a.list_usage(client_id, start=start, end=end, limit=limit, after=after))

    @rule(client_id=client_ids, start=p.optional_times, end=p.optional_times)
    def usage_totals(self, client_id: str, start: datetime | None, end: datetime | None) -> None:
        self.both("usage_totals", lambda a: a.usage_totals(client_id, start=start, end=end))

    # -- invariants ----------------------------------------------------------

    @invariant()
    def same_state_and_integrity(self) -> None:
        """Re-read what the step could have changed; the invariants see the latest answer to every read."""
        self.steps += 1
        changed = [read for read in EVERY_READ if read in self.stale]
        self.stale.clear()
        got = read_state(self.subject, changed)
        difference = first_difference(got, read_state(self.reference, changed))
        if difference is not None:
            raise AssertionError(f"after this step the adapters' states differ at {difference}")
        self.seen.update(got)
        check_integrity(self.seen)

    def teardown(self) -> None:
        if sys.exc_info()[1] is not self._outer_exception:
            return  # a step failed: report its error, not a consequence of it
        got = read_state(self.subject)
        difference = first_difference(got, read_state(self.reference))
        if difference is not None:
            raise AssertionError(
                f"at the end of the run the adapters' states differ at {difference}\n"
                "(a step changed a read it was not expected to change)"
            )
        check_integrity(got)
        self.counts.examples += 1
        self.counts.steps += self.steps


def build_machine(make_subject: Callable[[], Adapter]) -> type[AdapterModel]:
    """The model machine testing the adapters ``make_subject`` returns (one per run, on empty storage)."""
    return type("AdapterModel", (AdapterModel,),
                {"make_subject": staticmethod(make_subject), "counts": RunCounts()})

