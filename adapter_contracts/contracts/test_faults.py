"""Fault contracts: broken links, links cut mid-operation, and server restarts under a live adapter.

Run only on engines whose backend can put a proxy between adapter and server
(``Backend.supports_faults``).  Whatever breaks, the adapter raises
StorageUnavailable (or succeeds), never another error; the next call works;
and storage holds either the whole operation or none of it -- checked through
a direct adapter and the raw snapshot, never through the faulted link.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import StorageUnavailable
from adapter_contracts.adapters.records import UsageInput
from adapter_contracts.contracts.support import T0, Snapshot, Tally, make_campaign, make_client, make_user, ms
from adapter_contracts.harness.faults import FaultInjector
from adapter_contracts.harness.session import StartedEngine

pytestmark = pytest.mark.faults

#: More cut points than any cascade here needs: the loop stops at the first
#: point the operation gets past, and fails if it never does.
MAX_CUT_POINTS = 40
#: A refused or broken link must surface promptly, not hang the caller.
PROMPT_SECONDS = 15.0


@pytest.fixture
def injector(engine: StartedEngine, adapter: Adapter) -> Iterator[FaultInjector]:
    made = engine.engine.fault_injector(engine.endpoint)
    if made is None:
        pytest.fail(f"{type(engine.engine).__name__} sets supports_faults but gave no fault injector "
                    f"for its {engine.endpoint.provider} endpoint")
    yield made
    made.close()


def attempt(call: Callable[[], Any]) -> tuple[bool, Any]:
    """(True, result), or (False, the StorageUnavailable); any other exception fails the contract."""
    began = time.monotonic()
    try:
        result = call()
    except StorageUnavailable as exc:
        outcome: tuple[bool, Any] = (False, exc)
    except Exception as exc:
        raise AssertionError(f"a broken link raised {type(exc).__name__} ({exc}), "
                             "not StorageUnavailable") from exc
    else:
        outcome = (True, result)
    assert time.monotonic() - began < PROMPT_SECONDS, "a broken link must fail promptly"
    return outcome


def mentions(snapshot: dict[str, list[tuple[object, ...]]], token: str) -> list[tuple[str, tuple[object, ...]]]:
    """Every raw row, in any table, that contains ``token`` (ids are chosen to occur nowhere else)."""
    return [(table, row) for table, rows in snapshot.items() for row in rows if token in repr(row)]


def unrelated_rows_kept(before: dict[str, list[tuple[object, ...]]], after: dict[str, list[tuple[object, ...]]],
                        token: str) -> bool:
    for table, rows in before.items():
        remaining = list(after.get(table, []))
        for row in rows:
            if token in repr(row):
                continue
            if row not in remaining:
                return False
            remaining.remove(row)
    return True


class Outcomes:
    """Per cut point: what the call did and what storage held; partial writes are the failure."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.injected = self.retries = self.partial = 0
        self.seen: list[str] = []

    def close(self) -> None:
        self.tally("faults_injected", self.injected)
        self.tally("fault_retries", self.retries)
        assert self.partial == 0, f"{self.partial} partial or lost write(s); outcomes: {self.seen}"
        self.tally("lost_or_partial_writes", self.partial)


# -- a link cut between operations ---------------------------------------------


OPERATIONS: list[tuple[str, Callable[[Adapter], object], Callable[[Adapter], bool]]] = [
    ("get_user", lambda a: a.get_user("fault-u"), lambda d: True),
    ("create_user", lambda a: a.create_user(email="fault-new@example.com", password_hash="h", id="fault-new"),
     lambda d: d.get_user("fault-new") is not None),
    ("save_integration", lambda a: a.save_integration("fault-u", "crm", "x", {"n": 1}),
     lambda d: d.get_integration("fault-u", "crm", "x") is not None),
    ("list_campaigns", lambda a: a.list_campaigns("fault-u"), lambda d: True),
    ("record_usage", lambda a: a.record_usage("fault-c", timestamp=T0, tokens_used=1, cost=Decimal("0.5")),
     lambda d: d.usage_totals("fault-c").count == 1),
    ("update_client", lambda a: a.update_client("fault-c", {"v": 2}),
     lambda d: (c := d.get_client("fault-c")) is not None and c.payload == {"v": 2}),
    ("delete_campaign", lambda a: a.delete_campaign("fault-camp"), lambda d: d.get_campaign("fault-camp") is None),
    ("usage_totals", lambda a: a.usage_totals("fault-c"), lambda d: True),
]


def test_a_link_cut_between_calls_fails_one_call_at_most_then_works(
    engine: StartedEngine, adapter: Adapter, injector: FaultInjector, tally: Tally
) -> None:
    make_user(adapter, id="fault-u")
    make_client(adapter, id="fault-c")
    make_campaign(adapter, "fault-u", id="fault-camp")
    outcomes = Outcomes(tally)
    with injector.adapter(engine.factory) as proxied:
        for name, call, landed in OPERATIONS:
            proxied.get_user("fault-u")  # the link is open and idle
            assert injector.cut() >= 1, "the proxied adapter held no link to cut"
            outcomes.injected += 1
            first, _ = attempt(lambda c=call: c(proxied))  # type: ignore[misc]
            if not first:
                outcomes.retries += 1
                ok, error = attempt(lambda c=call: c(proxied))  # type: ignore[misc]
                assert ok, f"{name}: the call after a StorageUnavailable failed again: {error}"
            outcomes.seen.append(f"{name}: {'transparent' if first else 'unavailable once'}")
            if not landed(adapter):
                outcomes.partial += 1
    outcomes.close()


# -- a link cut inside a multi-statement operation -------------------------------

USER = "fault-user-x9q"
CLIENT = "fault-client-q7z"


def _populate_for_user_delete(adapter: Adapter) -> None:
    keep_client = make_client(adapter, id="fault-keep-client")
    make_user(adapter, id=USER)
    make_user(adapter, id="fault-keep-user")
    adapter.save_user_setup(USER, is_setup_complete=True, setup_data={"k": 1})
    adapter.save_user_workspace(USER, {"w": [1, 2]})
    adapter.save_integration(USER, "ads", "google", {"t": 1})
    adapter.save_integration(USER, "mail", "smtp", {"t": 2})
    make_campaign(adapter, USER, id="fault-camp-1")
    make_campaign(adapter, USER, id="fault-camp-2")
    adapter.link_admin(USER, keep_client.id)
    adapter.link_admin("fault-keep-user", keep_client.id)
    make_campaign(adapter, "fault-keep-user", id="fault-keep-camp")
    adapter.record_usage(keep_client.id, timestamp=T0, tokens_used=10, cost=Decimal("1.25"), admin_id=USER)
    adapter.record_usage(keep_client.id, timestamp=T0 + ms(1), tokens_used=20, cost=2, admin_id=USER)
    adapter.record_usage(keep_client.id, timestamp=T0 + ms(2), tokens_used=30, cost=3, admin_id="fault-keep-user")


def _user_delete_completed(adapter: Adapter) -> bool:
    usage = adapter.list_usage("fault-keep-client").items
    assert [(e.tokens_used, e.admin_id) for e in usage][2] == (Decimal(30), "fault-keep-user")
    gone = adapter.get_user(USER) is None
    if gone:
        assert [e.admin_id for e in usage[:2]] == [None, None]
        assert adapter.list_integrations(USER) == []
        assert adapter.get_user_setup(USER) is None
        assert adapter.list_client_admins("fault-keep-client") == ["fault-keep-user"]
    return gone


def _populate_for_client_delete(adapter: Adapter) -> None:
    make_client(adapter, id=CLIENT)
    make_client(adapter, id="fault-keep-client")
    admin = make_user(adapter, id="fault-admin")
    adapter.link_admin(admin.id, CLIENT)
    adapter.link_admin(admin.id, "fault-keep-client")
    adapter.save_oauth(CLIENT, "meta", {"a": 1})
    adapter.save_oauth(CLIENT, "google", {"a": 2})
    adapter.save_client_campaign("fault-cc-1", client_id=CLIENT, payload={})
    adapter.save_client_campaign("fault-cc-2", client_id=CLIENT, payload={"x": "y"})
    adapter.save_client_campaign("fault-keep-cc", client_id="fault-keep-client", payload={})
    for n in range(3):
        adapter.record_usage(CLIENT, timestamp=T0 + ms(n), tokens_used=n, cost=n, admin_id=admin.id)
    adapter.record_usage("fault-keep-client", timestamp=T0, tokens_used=5, cost=5, admin_id=admin.id)


def _client_delete_completed(adapter: Adapter) -> bool:
    assert adapter.usage_totals("fault-keep-client").count == 1
    assert adapter.list_admin_clients("fault-admin")[-1:] == ["fault-keep-client"]
    gone = adapter.get_client(CLIENT) is None
    if gone:
        assert adapter.list_oauth(CLIENT) == []
        assert adapter.list_client_campaigns(CLIENT) == []
        assert adapter.usage_totals(CLIENT).count == 0
        assert adapter.list_admin_clients("fault-admin") == ["fault-keep-client"]
    return gone


Cascade = tuple[str, Callable[[Adapter], None], Callable[[Adapter], bool], Callable[[Adapter], bool]]
CASCADES: dict[str, Cascade] = {
    "delete_user": (USER, _populate_for_user_delete, lambda a: a.delete_user(USER), _user_delete_completed),
    "delete_client": (CLIENT, _populate_for_client_delete, lambda a: a.delete_client(CLIENT),
                      _client_delete_completed),
}


#: Cut on the client's n-th write (the request is lost) or on the server's n-th
#: reply (the reply is lost: the server may have committed what the client sees fail).
DIRECTIONS = ["requests", "replies"]


@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("operation", sorted(CASCADES))
def test_a_cascade_cut_at_any_point_is_all_or_nothing_and_a_retry_completes_it(
    operation: str, direction: str, engine: StartedEngine, fresh: Callable[[], Adapter], raw_snapshot: Snapshot,
    injector: FaultInjector, tally: Tally,
) -> None:
    token, populate, delete, completed = CASCADES[operation]
    outcomes = Outcomes(tally)
    for writes in range(MAX_CUT_POINTS):
        direct = fresh()
        populate(direct)
        before = raw_snapshot()
        assert mentions(before, token)
        with injector.adapter(engine.factory) as proxied:
            proxied.get_user("nobody")  # connect first: the budget counts the operation's own writes
            injector.cut_after(writes, replies=direction == "replies")
            ok, result = attempt(lambda: delete(proxied))
            fired = not injector.disarm()
        after = raw_snapshot()
        done = completed(direct)
        if after == before:
            assert not done
            outcomes.seen.append(f"cut after {writes}: {'ok' if ok else 'unavailable'}, nothing written")
        elif not mentions(after, token) and unrelated_rows_kept(before, after, token) and done:
            outcomes.seen.append(f"cut after {writes}: {'ok' if ok else 'unavailable'}, cascade complete")
        else:
            outcomes.partial += 1
            outcomes.seen.append(f"cut after {writes}: PARTIAL {mentions(after, token)}")
        assert ok or fired, "StorageUnavailable without a fault"
        if ok:
            assert result is True, f"{operation} returned {result}"
            assert done, f"{operation} returned True but did not complete"
        outcomes.injected += fired
        with injector.adapter(engine.factory) as retry:
            outcomes.retries += 1
            again_ok, again = attempt(lambda: delete(retry))
        assert again_ok, f"retrying {operation} after the fault failed: {again}"
        assert again is (not done), f"the retried {operation} returned {again}"
        final = raw_snapshot()
        assert not mentions(final, token), f"orphans after the retried {operation}: {mentions(final, token)}"
        assert unrelated_rows_kept(before, final, token)
        assert completed(direct)
        if not fired:
            break
    else:
        pytest.fail(f"{operation} never completed within {MAX_CUT_POINTS} client writes")
    assert outcomes.injected >= 1
    outcomes.close()


@pytest.mark.capability("usage_batch")
@pytest.mark.parametrize("direction", DIRECTIONS)
def test_a_usage_batch_cut_at_any_point_writes_all_entries_or_none(
    direction: str, engine: StartedEngine, adapter: Adapter, fresh: Callable[[], Adapter],
    injector: FaultInjector, tally: Tally,
) -> None:
    batch = [UsageInput(timestamp=T0 + ms(n), tokens_used=n + 1, cost=Decimal(n) / 4,
                        admin_id="fault-admin" if n % 2 else None) for n in range(5)]
    outcomes = Outcomes(tally)
    for writes in range(MAX_CUT_POINTS):
        direct = fresh()
        make_client(direct, id="fault-batch")
        make_user(direct, id="fault-admin")
        with injector.adapter(engine.factory) as proxied:
            proxied.get_user("nobody")
            injector.cut_after(writes, replies=direction == "replies")
            ok, _ = attempt(lambda: proxied.record_usage_batch("fault-batch", batch))
            fired = not injector.disarm()
        outcomes.injected += fired
        stored = direct.usage_totals("fault-batch").count
        outcomes.seen.append(f"cut after {writes}: {'ok' if ok else 'unavailable'}, {stored} stored")
        if stored not in (0, len(batch)) or (ok and stored == 0):
            outcomes.partial += 1
        if stored == 0:
            with injector.adapter(engine.factory) as retry:
                outcomes.retries += 1
                again_ok, again = attempt(lambda: retry.record_usage_batch("fault-batch", batch))
            assert again_ok, f"retrying the batch after the fault failed: {again}"
        entries = direct.list_usage("fault-batch").items
        assert [(e.timestamp, e.tokens_used, e.cost, e.admin_id) for e in entries] == [
            (u.timestamp, u.tokens_used, u.cost, u.admin_id) for u in batch]
        if not fired:
            break
    else:
        pytest.fail(f"record_usage_batch never completed within {MAX_CUT_POINTS} client writes")
    outcomes.close()


# -- a server restart under a live adapter ---------------------------------------


def _recovers(adapter: Adapter, outcomes: Outcomes) -> None:
    """At most one StorageUnavailable (the stale connection), then the adapter reconnects."""
    ok, error = attempt(lambda: adapter.get_user("fault-restart"))
    if not ok:
        outcomes.retries += 1
        ok, error = attempt(lambda: adapter.get_user("fault-restart"))
    assert ok, f"the adapter did not reconnect after the server came back: {error}"


def test_a_server_restart_under_a_live_adapter_loses_nothing_and_the_adapter_reconnects(
    engine: StartedEngine, adapter: Adapter, injector: FaultInjector, tally: Tally
) -> None:
    outcomes = Outcomes(tally)
    with injector.adapter(engine.factory) as proxied:
        make_user(proxied, id="fault-restart", email="restart@example.com")
        make_client(proxied, id="fault-restart-c", payload={"p": 1})
        proxied.record_usage("fault-restart-c", timestamp=T0, tokens_used=7, cost=Decimal("0.7"))
        injector.stop_server()
        outcomes.injected += 1
        # A real restart of the harness's throwaway server, or an outage played at the proxy.
        tally("server_restarts" if injector.real_restart else "proxy_outages", 1)
        try:
            for call in (lambda: proxied.get_user("fault-restart"),
                         lambda: proxied.create_client(payload={}, id="fault-during-outage"),
                         lambda: proxied.get_user("fault-restart")):
                ok, _ = attempt(call)
                assert not ok, "a call succeeded while the server was down"
        finally:
            injector.start_server()
        _recovers(proxied, outcomes)
        _recovers(adapter, outcomes)
        with injector.adapter(engine.factory) as newcomer:
            _recovers(newcomer, outcomes)
        for reader in (proxied, adapter):
            user = reader.get_user("fault-restart")
            assert user is not None
            assert user.email == "restart@example.com"
            client = reader.get_client("fault-restart-c")
            assert client is not None
            assert client.payload == {"p": 1}
            assert reader.usage_totals("fault-restart-c").count == 1
            if reader.get_client("fault-during-outage") is not None:
                outcomes.partial += 1  # acknowledged as failed, yet written
    outcomes.close()
