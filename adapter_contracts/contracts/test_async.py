"""Async-native contracts: what goes wrong only in asyncio code, on every engine whose flavour is async.

The other contracts reach an async adapter through the harness's bridge, one
operation at a time; these drive the async adapter itself on its own event loop
(:meth:`AsyncBridge.run`):

* a task cancelled at each await point of every write and cascade (each point
  where the operation's task really suspends, counted on an uncancelled run):
  storage then holds the whole operation or none of it (raw snapshot, given a
  bounded time to settle), no session of the storage is left inside a
  transaction, and the same instance keeps working;
* ``asyncio.timeout`` around operations: the same three promises;
* many tasks sharing one instance on one loop: upserts leave one row, sums are
  exact, every task's writes land, listings equal the reference's and pages
  never repeat or skip an entry;
* no blocking call on the event loop: the loop's lag is measured while
  operations run; where the engine can slow its link (fault support), every
  server reply is held back, so a synchronous driver call inside a coroutine
  stalls the loop for as long and fails;
* the async adapter and its engine's sync twin are interchangeable over the
  same stored data: what one writes, the other reads identically.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable, Coroutine, Generator, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from adapter_contracts.adapters.async_base import AsyncAdapter
from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.memory import MemoryAdapter, MemoryStore
from adapter_contracts.adapters.records import UsageInput
from adapter_contracts.contracts.support import T0, Snapshot, ms
from adapter_contracts.harness.bridge import AsyncBridge
from adapter_contracts.harness.engines import load_engine
from adapter_contracts.harness.session import StartedEngine

pytestmark = pytest.mark.async_native

#: More await points than any operation here has; the count is measured, this only bounds it.
MAX_POINTS = 80
#: Seconds storage may take to settle after a cancellation (a write that runs on, shielded, or a server
#: that notices a dropped connection).
SETTLE_SECONDS = 10.0
#: Seconds each server reply is held back in the loop-lag probe, and the lag that fails it: one blocked round
#: trip exceeds it, while a loaded machine's scheduling jitter (a few tens of ms) stays below.
LINK_LATENCY = 0.3
MAX_LAG = 0.2
#: Tasks sharing one instance.
TASKS = 16
WHOLE_OR_NOTHING = "the whole operation or none of it (the reference's operations have no await point inside)"


def _report(title: str, failures: list[tuple[str, str, str]]) -> str:
    """The first failure as ``adapter:``/``reference:`` lines, the others counted."""
    what, adapter, reference = failures[0]
    more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
    return f"{title}, {what}{more}\nadapter:   {adapter}\nreference: {reference}"


def _bridge(adapter: Adapter) -> AsyncBridge:
    if not isinstance(adapter, AsyncBridge):
        pytest.fail(f"an async engine's adapter is not behind the harness's bridge: {type(adapter).__qualname__}")
    return adapter


# -- cancellation at each await point ---------------------------------------------------------------


class _Counted:
    """Awaits ``coro``, counting the times it suspends; at suspension ``cancel_at`` its task is cancelled."""

    def __init__(self, coro: Coroutine[Any, Any, Any], cancel_at: int | None = None) -> None:
        self.coro = coro
        self.cancel_at = cancel_at
        self.suspensions = 0

    def __await__(self) -> Generator[Any, Any, Any]:
        inner = self.coro.__await__()
        sent: Any = None
        thrown: BaseException | None = None
        while True:
            try:
                yielded = inner.throw(thrown) if thrown is not None else inner.send(sent)
            except StopIteration as done:
                return done.value
            self.suspensions += 1
            if self.suspensions == self.cancel_at:
                task = asyncio.current_task()
                assert task is not None
                # Cancelled while suspended right here, as a caller's cancel() or a timeout lands.
                asyncio.get_running_loop().call_soon(task.cancel)
            try:
                sent, thrown = (yield yielded), None
            except BaseException as exc:  # noqa: BLE001 - passed on into the operation, as asyncio does
                sent, thrown = None, exc


_GENERATED = re.compile(r"^[0-9a-f]{24}$")  # a MongoDB ObjectId made by the driver on insert
_SEQUENCE_ID = re.compile(r"\bid='\d+'")


def _masked(value: object) -> object:
    """A raw row's value with identifiers the storage generates left out: document ObjectIds and the
    billing sequence differ between two runs of the same operation."""
    if isinstance(value, str) and value.startswith("{"):
        try:
            doc = json.loads(value)
        except ValueError:
            return value
        if isinstance(doc, dict):
            return json.dumps({k: v for k, v in doc.items()
                               if not (k == "_id" and isinstance(v, str) and _GENERATED.match(v)) and k != "seq"},
                              sort_keys=True)
    return value


def _comparable(snapshot: Snapshot) -> dict[str, Any]:
    """A snapshot without generated identifiers (billing ids, ObjectIds, sequence numbers), comparable
    between two runs of one operation."""
    shown: dict[str, Any] = {}
    for table, rows in snapshot.items():
        if table == "client_billing":
            # The SQL layouts' own id comes first; a row read as one text (a record's repr) names it as id='n'.
            rows = [row[1:] if len(row) > 1 else tuple(_SEQUENCE_ID.sub("id=?", str(v)) for v in row) for row in rows]
        shown[table] = sorted(repr(tuple(_masked(v) for v in row)) for row in rows)
    return shown


@dataclass(frozen=True)
class Write:
    name: str
    call: Callable[[AsyncAdapter], Awaitable[object]]


async def _seed(a: AsyncAdapter) -> None:
    """Two users and a client with every kind of dependent row, so every cascade has steps to cut."""
    await a.create_client(payload={"k": 1}, id="k", created_at=T0)
    await a.create_client(payload={"k": 2}, id="k2", created_at=T0 + ms(1))
    for user in ("u", "v"):
        await a.create_user(email=f"{user}@x", password_hash="h", id=user, created_at=T0)
        await a.save_user_setup(user, is_setup_complete=True, setup_data={"s": user})
        await a.save_user_workspace(user, {"w": user})
        await a.save_integration(user, "ads", "google", {"i": user})
        await a.create_campaign(user_id=user, payload={"c": user}, id=f"c-{user}", created_at=T0)
        await a.link_admin(user, "k")
    await a.save_oauth("k", "meta", {"o": 1})
    await a.save_client_campaign("cc", client_id="k", payload={"cc": 1})
    await a.record_usage("k", timestamp=T0, tokens_used=1, cost=Decimal("0.1"), admin_id="u")


WRITES = [
    Write("create_user", lambda a: a.create_user(email="n@x", password_hash="h", id="n", created_at=T0)),
    Write("update_user", lambda a: a.update_user("u", email="u2@x", name="U")),
    Write("delete_user", lambda a: a.delete_user("u")),
    Write("save_user_setup", lambda a: a.save_user_setup("u", is_setup_complete=False, setup_data={"s": 2})),
    Write("save_user_workspace", lambda a: a.save_user_workspace("u", {"w": 2})),
    Write("save_integration", lambda a: a.save_integration("u", "ads", "meta", {"i": 2})),
    Write("delete_integration", lambda a: a.delete_integration("u", "ads", "google")),
    Write("create_campaign", lambda a: a.create_campaign(user_id="u", payload={"c": 2}, id="c2", created_at=T0)),
    Write("update_campaign", lambda a: a.update_campaign("c-u", {"c": 3})),
    Write("delete_campaign", lambda a: a.delete_campaign("c-u")),
    Write("create_client", lambda a: a.create_client(payload={"k": 3}, id="k3", created_at=T0)),
    Write("update_client", lambda a: a.update_client("k", {"k": 4})),
    Write("delete_client", lambda a: a.delete_client("k")),
    Write("link_admin", lambda a: a.link_admin("u", "k2")),
    Write("unlink_admin", lambda a: a.unlink_admin("u", "k")),
    Write("save_oauth", lambda a: a.save_oauth("k", "x", {"o": 2})),
    Write("delete_oauth", lambda a: a.delete_oauth("k", "meta")),
    Write("save_client_campaign", lambda a: a.save_client_campaign("cc", client_id="k2", payload={"cc": 2})),
    Write("delete_client_campaign", lambda a: a.delete_client_campaign("cc")),
    Write("record_usage", lambda a: a.record_usage("k", timestamp=T0, tokens_used=2, cost=1, admin_id="v")),
    Write("record_usage_batch", lambda a: a.record_usage_batch(
        "k", [UsageInput(T0, 1, 1, "u"), UsageInput(T0 + ms(1), 2, 2, None)])),
]


def _supported(adapter: Adapter, write: Write) -> bool:
    return not (write.name == "record_usage_batch" and "usage_batch" in type(adapter).unsupported)


def _settled(raw_snapshot: Callable[[], Snapshot], allowed: list[dict[str, Any]]) -> dict[str, Any]:
    """The storage once it equals one of ``allowed`` (waiting a bounded time), or as last seen."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        now = _comparable(raw_snapshot())
        if now in allowed or time.monotonic() > deadline:
            return now
        time.sleep(0.05)


def _difference(now: dict[str, Any], before: dict[str, Any], after: dict[str, Any]) -> str:
    """Which tables the operation changed, as completed, and which it left as before although it changes them."""
    changes = sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))
    done = [t for t in changes if now.get(t) == after.get(t)]
    left = [t for t in changes if now.get(t) == before.get(t)]
    other = sorted(t for t in set(now) | set(before) | set(after) if now.get(t) not in (before.get(t), after.get(t)))
    parts = [f"changed as the completed operation changes them: {', '.join(done) or 'none'}",
             f"left as before: {', '.join(left) or 'none'}"]
    if other:
        parts.append(f"neither: {', '.join(other)}")
    return "; ".join(parts)


def _open_transactions(engine: StartedEngine) -> int | None:
    probe = getattr(engine.engine, "open_transactions", None)
    return None if probe is None else int(probe(engine.endpoint))


def _no_open_transaction(engine: StartedEngine) -> int | None:
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        found = _open_transactions(engine)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


@pytest.mark.parametrize("write", WRITES, ids=[w.name for w in WRITES])
def test_a_write_cancelled_at_any_await_point_completed_or_wrote_nothing(
    engine: StartedEngine, fresh: Callable[[], Adapter], raw_snapshot: Callable[[], Snapshot],
    write: Write, tally: Callable[[str, int], None],
) -> None:
    bridge = _bridge(fresh())
    if not _supported(bridge, write):
        return  # a declared limitation: the capability contracts check what it raises
    bridge.run(_seed)
    before = _comparable(raw_snapshot())

    async def uncancelled(a: AsyncAdapter) -> int:
        counted = _Counted(write.call(a))  # type: ignore[arg-type]
        await counted
        return counted.suspensions

    points = bridge.run(uncancelled)
    after = _comparable(raw_snapshot())
    assert points <= MAX_POINTS, f"{write.name} suspended {points} times, more than this contract bounds"
    failures: list[tuple[str, str, str]] = []
    for point in range(1, points + 1):
        bridge = _bridge(fresh())
        bridge.run(_seed)

        async def cancelled(a: AsyncAdapter, point: int = point) -> str:
            try:
                await _Counted(write.call(a), cancel_at=point)  # type: ignore[arg-type]
            except asyncio.CancelledError:
                return "cancelled"
            return "completed"

        outcome = bridge.run(cancelled)
        now = _settled(raw_snapshot, [before, after])
        where = f"cancelled at await point {point} of {points} ({outcome})"
        if now not in (before, after):
            failures.append((where, f"storage holds part of the operation: {_difference(now, before, after)}",
                             WHOLE_OR_NOTHING))
        still_open = _no_open_transaction(engine)
        if still_open:
            failures.append((where, f"{still_open} session(s) of the storage still inside a transaction "
                             f"{SETTLE_SECONDS:.0f}s later", "no session left inside a transaction"))
        try:
            bridge.run(lambda a: a.get_user("v"))
            bridge.run(lambda a, p=point: a.save_oauth("k2", f"p{p}", {"after": p}))
        except Exception as exc:  # noqa: BLE001 - the finding is that the instance stopped working
            failures.append((where, f"the instance then raised {type(exc).__name__}: {exc}",
                             "the instance keeps working"))
        tally("cancellations", 1)
        if len(failures) >= 3:
            break
    assert not failures, _report(write.name, failures)


# -- asyncio.timeout ------------------------------------------------------------------------------


@pytest.mark.parametrize("write", [w for w in WRITES if w.name in ("delete_user", "delete_client", "record_usage")],
                         ids=lambda w: w.name)
def test_asyncio_timeout_around_a_write_leaves_storage_whole_and_the_instance_usable(
    engine: StartedEngine, fresh: Callable[[], Adapter], raw_snapshot: Callable[[], Snapshot], write: Write,
) -> None:
    bridge = _bridge(fresh())
    bridge.run(_seed)
    before = _comparable(raw_snapshot())
    bridge.run(write.call)
    after = _comparable(raw_snapshot())
    failures: list[tuple[str, str, str]] = []
    for budget in (0.0, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05):
        bridge = _bridge(fresh())
        bridge.run(_seed)

        async def bounded(a: AsyncAdapter, budget: float = budget) -> str:
            try:
                async with asyncio.timeout(budget):
                    await write.call(a)
            except TimeoutError:
                return "timed out"
            return "completed"

        outcome = bridge.run(bounded)
        now = _settled(raw_snapshot, [before, after])
        where = f"inside asyncio.timeout({budget}) ({outcome})"
        if now not in (before, after):
            failures.append((where, f"storage holds part of the operation: {_difference(now, before, after)}",
                             WHOLE_OR_NOTHING))
        if _no_open_transaction(engine):
            failures.append((where, "a session of the storage is still inside a transaction",
                             "no session left inside a transaction"))
        try:
            bridge.run(lambda a: a.get_client("k2"))
        except Exception as exc:  # noqa: BLE001 - the finding is that the instance stopped working
            failures.append((where, f"the instance then raised {type(exc).__name__}: {exc}",
                             "the instance keeps working"))
    assert not failures, _report(write.name, failures)


# -- many tasks, one instance ---------------------------------------------------------------------


def test_many_tasks_sharing_one_instance_agree_with_the_reference(fresh: Callable[[], Adapter]) -> None:
    bridge = _bridge(fresh())
    reference = MemoryAdapter(MemoryStore())

    async def setup(a: AsyncAdapter) -> None:
        await a.create_client(payload={}, id="k", created_at=T0)
        for i in range(TASKS):
            await a.create_user(email=f"u{i}@x", password_hash="h", id=f"u{i:02}", created_at=T0)
        for i in range(20):
            await a.record_usage("k", timestamp=T0 + ms(i), tokens_used=1, cost=Decimal("0.1"))

    bridge.run(setup)
    reference.create_client(payload={}, id="k", created_at=T0)
    for i in range(TASKS):
        reference.create_user(email=f"u{i}@x", password_hash="h", id=f"u{i:02}", created_at=T0)
    for i in range(20):
        reference.record_usage("k", timestamp=T0 + ms(i), tokens_used=1, cost=Decimal("0.1"))
    pre_existing = [e.id for e in bridge.list_usage("k").items]

    async def worker(a: AsyncAdapter, i: int) -> list[str]:
        user = f"u{i:02}"
        await a.save_integration("u00", "ads", "shared", {"by": "everyone"})  # one key, every task
        await a.save_user_workspace(user, {"w": i})
        await a.link_admin(user, "k")
        await a.create_campaign(user_id=user, payload={"i": i}, id=f"c{i:02}", created_at=T0 + ms(i % 3))
        for n in range(5):
            await a.record_usage("k", timestamp=T0 + ms(100 + n), tokens_used=1, cost=Decimal("0.1"))
        seen: list[str] = []
        after = None
        while True:  # page the listing while the other tasks append
            page = await a.list_usage("k", end=T0 + ms(20), limit=3, after=after)
            seen += [e.id for e in page.items]
            after = page.next_cursor
            if after is None:
                return seen

    async def all_tasks(a: AsyncAdapter) -> list[list[str]]:
        return list(await asyncio.gather(*(worker(a, i) for i in range(TASKS))))

    listings = bridge.run(all_tasks)
    for i in range(TASKS):
        user = f"u{i:02}"
        reference.save_integration("u00", "ads", "shared", {"by": "everyone"})
        reference.save_user_workspace(user, {"w": i})
        reference.link_admin(user, "k")
        reference.create_campaign(user_id=user, payload={"i": i}, id=f"c{i:02}", created_at=T0 + ms(i % 3))
        for n in range(5):
            reference.record_usage("k", timestamp=T0 + ms(100 + n), tokens_used=1, cost=Decimal("0.1"))
    title = f"{TASKS} tasks sharing one instance"
    for listing in listings:
        assert listing == pre_existing, (f"{title}: paging while the others append\nadapter:   {len(listing)} "
                                         f"entries listed, {len(set(listing))} distinct\nreference: the "
                                         f"{len(pre_existing)} entries that were there, each once")
    checks: list[tuple[str, object, object]] = [
        ("the one upserted integration key", bridge.list_integrations("u00"), reference.list_integrations("u00")),
        ("usage totals", bridge.usage_totals("k"), reference.usage_totals("k")),
        ("the client's admins", bridge.list_client_admins("k"), reference.list_client_admins("k")),
        ("billing entries", [(e.timestamp, e.tokens_used, e.cost) for e in bridge.list_usage("k").items],
         [(e.timestamp, e.tokens_used, e.cost) for e in reference.list_usage("k").items]),
    ]
    for i in range(TASKS):
        user = f"u{i:02}"
        checks.append((f"{user}'s workspace", bridge.get_user_workspace(user), reference.get_user_workspace(user)))
        checks.append((f"{user}'s campaigns", bridge.list_campaigns(user).items, reference.list_campaigns(user).items))
    for what, ours, theirs in checks:
        assert ours == theirs, f"{title}: {what}\nadapter:   {ours!r:.300}\nreference: {theirs!r:.300}"


# -- the event loop is never blocked ----------------------------------------------------------------


async def _max_lag(work: Awaitable[object], interval: float = 0.005) -> float:
    """The longest the loop was late to wake a ticker while ``work`` ran."""
    worst = 0.0
    done = False

    async def ticker() -> None:
        nonlocal worst
        while not done:
            began = time.perf_counter()
            await asyncio.sleep(interval)
            worst = max(worst, time.perf_counter() - began - interval)

    tick = asyncio.ensure_future(ticker())
    await asyncio.sleep(0)  # the ticker is asleep before the work's first step, so a first blocking call counts
    try:
        await work
    finally:
        done = True
        await tick
    return worst


@pytest.fixture
def slow_link(engine: StartedEngine) -> Iterator[Adapter | None]:
    """Where the engine can put a proxy on its link: a new instance whose every server reply is held back."""
    if not engine.engine.supports_faults:
        yield None
        return
    injector = engine.engine.fault_injector(engine.endpoint)
    if injector is None:
        yield None
        return
    adapter = injector.adapter(engine.factory)
    try:
        injector.proxy.latency = LINK_LATENCY
        yield adapter
    finally:
        injector.proxy.latency = 0.0
        adapter.close()
        injector.close()


def test_no_operation_blocks_the_event_loop(fresh: Callable[[], Adapter], slow_link: Adapter | None) -> None:
    bridge = _bridge(fresh())
    bridge.create_client(payload={}, id="k", created_at=T0)
    bridge.create_user(email="a@x", password_hash="h", id="a", created_at=T0)
    probed = _bridge(slow_link) if slow_link is not None else bridge

    async def operations(a: AsyncAdapter) -> None:
        await a.get_user("a")
        await a.save_user_workspace("a", {"w": 1})
        await a.record_usage("k", timestamp=T0, tokens_used=1, cost=1)
        await a.list_usage("k")
        await a.usage_totals("k")

    async def measured(a: AsyncAdapter) -> float:
        return await _max_lag(operations(a))

    lag = probed.run(measured)
    held = f" with every server reply held back {LINK_LATENCY * 1000:.0f} ms" if slow_link is not None else ""
    assert lag < MAX_LAG, (f"event loop lag while operations ran{held}\nadapter:   blocked the loop for "
                           f"{lag * 1000:.0f} ms (a synchronous call inside a coroutine)\nreference: every "
                           f"driver call awaited: the loop late by less than {MAX_LAG * 1000:.0f} ms")


# -- interchangeable with the sync twin -----------------------------------------------------------


@pytest.fixture
def twin(engine: StartedEngine) -> Iterator[Adapter]:
    """The built-in adapter of the engine's sync twin, on the same storage."""
    name = engine.engine.twin
    if name is None:
        pytest.fail(f"engine {engine.id} is async but names no sync twin to be interchangeable with")
    made = load_engine(name).make_adapter(engine.endpoint)
    yield made
    made.close()


def _write_everything(a: Adapter, tag: str) -> None:
    a.create_client(payload={"k": tag}, id=f"k{tag}", created_at=T0)
    a.create_user(email=f"{tag}@X.org", password_hash="h", name=f"N{tag}", id=f"u{tag}", created_at=T0 + ms(1))
    a.save_user_setup(f"u{tag}", is_setup_complete=True, completed_at=T0, setup_data={"d": [1, 2.5, None]})
    a.save_user_workspace(f"u{tag}", {"w": {"nested": True}, "": "empty"})
    a.save_integration(f"u{tag}", "ads", "google", {"$x": 1, "a.b": 2})
    a.create_campaign(user_id=f"u{tag}", payload={"c": 2**53 - 1}, id=f"c{tag}", created_at=T0 + ms(2))
    a.link_admin(f"u{tag}", f"k{tag}")
    a.save_oauth(f"k{tag}", "meta", {"t": "é"})
    a.save_client_campaign(f"cc{tag}", client_id=f"k{tag}", payload={"cc": -0.0})
    a.record_usage(f"k{tag}", timestamp=T0 + ms(3), tokens_used=Decimal("1.2345"), cost=7, admin_id=f"u{tag}")


def _read_everything(a: Adapter, tag: str) -> list[object]:
    return [
        a.get_client(f"k{tag}"), a.get_user(f"u{tag}"), a.get_user_by_email(f"{tag}@x.org"),
        a.get_user_setup(f"u{tag}"), a.get_user_workspace(f"u{tag}"), a.list_integrations(f"u{tag}"),
        a.list_campaigns(f"u{tag}").items, a.list_admin_clients(f"u{tag}"), a.list_oauth(f"k{tag}"),
        a.list_client_campaigns(f"k{tag}"), a.list_usage(f"k{tag}").items, a.usage_totals(f"k{tag}"),
        a.list_clients().items,
    ]


def test_sync_and_async_adapters_are_interchangeable_over_the_same_data(adapter: Adapter, twin: Adapter) -> None:
    bridge = _bridge(adapter)
    _write_everything(twin, "S")
    _write_everything(bridge, "A")
    for tag in ("S", "A"):
        ours, theirs = _read_everything(bridge, tag), _read_everything(twin, tag)
        writer = "the sync twin" if tag == "S" else "the async adapter"
        for mine, other in zip(ours, theirs, strict=True):
            assert mine == other, (f"what {writer} wrote, read through both\nadapter:   {mine!r:.300}\n"
                                   f"reference: {other!r:.300} (read through the sync twin)")
