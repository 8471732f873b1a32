"""Concurrency contracts: racing writers on one storage, each with its own adapter instance.

Bounded in count (WORKERS threads, a few rounds) and time (every future has a
timeout), so a deadlocking adapter fails instead of hanging the suite.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import TypeVar

import pytest

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import Conflict
from adapter_contracts.contracts.explain import short
from adapter_contracts.contracts.support import T0, make_client, make_user, ms
from adapter_contracts.harness.session import StartedEngine

WORKERS = 8
TIMEOUT = 60.0
T = TypeVar("T")


@pytest.fixture
def pool(engine: StartedEngine, adapter: Adapter) -> Iterator[list[Adapter]]:
    """WORKERS adapter instances on the (empty) storage of ``adapter``."""
    instances = [engine.new_adapter() for _ in range(WORKERS)]
    yield instances
    for instance in instances:
        instance.close()


def race(pool: list[Adapter], work: Callable[[int, Adapter], T]) -> list[T | BaseException]:
    """Run ``work(i, adapter_i)`` on every instance at once; results or raised errors, in order."""
    barrier = threading.Barrier(len(pool))

    def run(index: int) -> T | BaseException:
        barrier.wait(timeout=TIMEOUT)
        try:
            return work(index, pool[index])
        except Exception as exc:  # noqa: BLE001 - the caller classifies every outcome
            return exc

    with ThreadPoolExecutor(max_workers=len(pool)) as executor:
        futures = [executor.submit(run, i) for i in range(len(pool))]
        return [f.result(timeout=TIMEOUT) for f in futures]


def test_racing_upserts_leave_one_row_with_one_written_value(adapter: Adapter, pool: list[Adapter]) -> None:
    user = make_user(adapter)
    written = [{"writer": i} for i in range(WORKERS)]
    outcomes = race(pool, lambda i, a: a.save_integration(user.id, "crm", "hubspot", written[i]))
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    rows = adapter.list_integrations(user.id)
    assert len(rows) == 1
    assert rows[0].data in written


def test_racing_setup_and_oauth_upserts_leave_one_row(adapter: Adapter, pool: list[Adapter]) -> None:
    user = make_user(adapter)
    client = make_client(adapter)

    def work(i: int, a: Adapter) -> None:
        if i % 2:
            a.save_user_setup(user.id, is_setup_complete=bool(i % 4 == 1), setup_data={"w": i})
        else:
            a.save_oauth(client.id, "meta", {"w": i})

    outcomes = race(pool, work)
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    setup = adapter.get_user_setup(user.id)
    assert setup is not None
    assert setup.setup_data is not None
    assert setup.setup_data["w"] % 2 == 1
    oauth = adapter.list_oauth(client.id)
    assert len(oauth) == 1
    assert oauth[0].data["w"] % 2 == 0


def one_success(outcomes: list[T | BaseException], field: str, call: str) -> T:
    """Exactly one racer succeeded and every other one raised ``Conflict(field)``; the success.

    Otherwise the failure lists what each racer got, beside what the reference gives
    (whose callers are serialised by one lock): one row, then Conflicts.
    """
    __tracebackhide__ = True  # the failure is the caller's line, not this helper's
    successes = [o for o in outcomes if not isinstance(o, BaseException)]
    refused = [o for o in outcomes if isinstance(o, Conflict) and o.field == field]
    if len(successes) == 1 and len(refused) == len(outcomes) - 1:
        return successes[0]
    got = [f"  #{i}: " + (f"raised {type(o).__name__}(field={getattr(o, 'field', None)!r})"
                          if isinstance(o, BaseException) else f"returned {short(o, 120)}")
           for i, o in enumerate(outcomes)]
    raise AssertionError("\n".join([
        f"{len(outcomes)} racing {call}: {len(successes)} returned a row, {len(refused)} raised Conflict({field!r})",
        "adapter:", *got,
        f"reference: one returns the row, the other {len(outcomes) - 1} raise Conflict(field={field!r})",
    ]))


def test_racing_creates_with_one_email_give_one_success(adapter: Adapter, pool: list[Adapter]) -> None:
    outcomes = race(pool, lambda i, a: a.create_user(email=f"  Same@Example.com{' ' * (i % 2)}",
                                                     password_hash=f"h{i}"))
    created = one_success(outcomes, "email", "create_user(email='  Same@Example.com')")
    found = adapter.get_user_by_email("same@example.com")
    assert found == created


def test_racing_creates_with_one_id_give_one_success(adapter: Adapter, pool: list[Adapter]) -> None:
    outcomes = race(pool, lambda i, a: a.create_client(id="client-1", payload={"w": i}))
    one_success(outcomes, "id", "create_client(id='client-1')")
    assert [c.id for c in adapter.list_clients().items] == ["client-1"]


def test_concurrent_billing_appends_sum_exactly(adapter: Adapter, pool: list[Adapter]) -> None:
    client = make_client(adapter)
    per_worker = 25

    def work(i: int, a: Adapter) -> None:
        for n in range(per_worker):
            a.record_usage(client.id, timestamp=T0 + ms(n), tokens_used=Decimal("0.0001") * (i + 1),
                           cost=Decimal("0.1"))

    outcomes = race(pool, work)
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    totals = adapter.usage_totals(client.id)
    assert totals.count == WORKERS * per_worker
    assert totals.cost == Decimal("0.1") * WORKERS * per_worker
    assert totals.tokens_used == Decimal("0.0001") * per_worker * sum(range(1, WORKERS + 1))
    entries = adapter.list_usage(client.id).items
    assert len(entries) == totals.count
    assert len({e.id for e in entries}) == totals.count


def test_racing_links_report_new_exactly_once(adapter: Adapter, pool: list[Adapter]) -> None:
    admins = [make_user(adapter).id for _ in range(2)]
    client = make_client(adapter)
    outcomes = race(pool, lambda i, a: a.link_admin(admins[i % 2], client.id))
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    assert sum(1 for o in outcomes if o is True) == 2, outcomes
    assert adapter.list_client_admins(client.id) == sorted(admins)


def test_link_unlink_race_leaves_a_consistent_set(adapter: Adapter, pool: list[Adapter]) -> None:
    admins = [make_user(adapter).id for _ in range(WORKERS)]
    client = make_client(adapter)

    def work(i: int, a: Adapter) -> bool:
        for _ in range(5):
            a.link_admin(admins[i], client.id)
            a.unlink_admin(admins[i], client.id)
        return a.link_admin(admins[i], client.id) if i % 2 else False

    outcomes = race(pool, work)
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    expected = sorted(admins[i] for i in range(WORKERS) if i % 2)
    assert adapter.list_client_admins(client.id) == expected
    for admin in admins:
        assert adapter.list_admin_clients(admin) == ([client.id] if admin in expected else [])


def test_paging_under_concurrent_inserts_never_repeats_or_skips(adapter: Adapter, pool: list[Adapter]) -> None:
    client = make_client(adapter)
    existing = [adapter.record_usage(client.id, timestamp=T0 + ms(10 * n), tokens_used=1, cost=1).id
                for n in range(60)]
    stop = threading.Event()

    def insert(i: int, a: Adapter) -> int:
        count = 0
        while not stop.is_set() and count < 200:
            # Interleave: new entries land before, between and after the pre-existing ones.
            a.record_usage(client.id, timestamp=T0 + ms(10 * (count % 70) + i % 10), tokens_used=1, cost=1)
            count += 1
        return count

    def page(i: int, a: Adapter) -> list[str]:
        seen: list[str] = []
        page = a.list_usage(client.id, limit=7)
        while True:
            seen.extend(e.id for e in page.items)
            if page.next_cursor is None:
                break
            page = a.list_usage(client.id, limit=7, after=page.next_cursor)
        stop.set()
        return seen

    outcomes = race(pool[:3], lambda i, a: page(i, a) if i == 0 else insert(i, a))
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    seen = outcomes[0]
    assert isinstance(seen, list)
    assert len(seen) == len(set(seen)), "an entry was listed twice"
    missing = set(existing) - set(seen)
    assert not missing, f"{len(missing)} entries that existed before the listing began were skipped"
