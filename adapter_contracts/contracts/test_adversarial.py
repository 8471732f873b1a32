"""Adversarial input on every operation and argument: the adapter treats a value as what it stands for.

Builtin subclasses with lying dunder methods, tzinfos that raise or answer out
of range, and crafted cursors (see :mod:`adapter_contracts.strategies.adversarial`) go into one
argument of one call against storage holding the seeded rows.  Each drawn value
comes with the exact builtin value it stands for (or none, for a tzinfo that
cannot answer or a crafted cursor).  The adapter must do what the reference
adapter does with that builtin value, on the same rows: raise the same
documented error class naming the same argument, with the raw storage
unchanged, or succeed with the same result, every value in it of the exact
builtin type, and read back the same rows.  Values that stand for nothing must
be a ValidationError naming the argument.  No other exception may escape.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, is_dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from adapter_contracts.adapters import errors, limits
from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import ValidationError
from adapter_contracts.adapters.memory import MemoryAdapter, MemoryStore
from adapter_contracts.adapters.records import BillingEntry, Page, UsageInput
from adapter_contracts.contracts import seeded
from adapter_contracts.contracts.explain import expect_same
from adapter_contracts.contracts.hostile_cases import CAT, DECOY, OPS, PLAT, PROV, C, K, M, Op, U, seed
from adapter_contracts.contracts.support import T0, Rows, Snapshot, Tally, check_each_unchanged, wrote_anyway
from adapter_contracts.strategies.adversarial import (
    REFUSED,
    Adversarial,
    adversarial_amounts,
    adversarial_batches,
    adversarial_datetimes,
    adversarial_emails,
    adversarial_limits,
    adversarial_payloads,
    adversarial_texts,
    bad_tzinfo_examples,
    crafted_cursor_examples,
    crafted_cursors,
    forged_cursor_examples,
    lying_classes,
)

# Every case runs against storage holding seed()'s rows.
fresh, raw_snapshot, _handover = seeded.fresh, seeded.raw_snapshot, seeded._handover

#: The documented error classes, exactly: an adapter's own subclass is not documented.
DOCUMENTED = frozenset(getattr(errors, name) for name in errors.__all__)

# -- what each argument is ---------------------------------------------------------

Draw = Callable[[], SearchStrategy[Adversarial]]


def _key(max_len: int) -> Draw:
    return lambda: adversarial_texts(max_len=max_len)


def _bools() -> SearchStrategy[Adversarial]:
    # bool cannot be subclassed: an int subclass pretending to be a flag stands for an int.
    return st.builds(lambda cls, n: Adversarial(cls(n), n, f"flag:{cls.__name__}"),
                     st.sampled_from(lying_classes(base=int)), st.sampled_from((0, 1)))


USER, ENTITY = _key(limits.USER_ID_MAX), _key(limits.ENTITY_ID_MAX)
KINDS: dict[str, Draw] = {
    "user_id": USER, "admin_id": USER, "campaign_id": ENTITY, "client_id": ENTITY,
    "category": _key(limits.CATEGORY_MAX), "provider": _key(limits.PROVIDER_MAX), "platform": _key(limits.PLATFORM_MAX),
    "email": adversarial_emails,
    "name": lambda: adversarial_texts(max_len=limits.NAME_MAX, min_len=0),
    "password_hash": lambda: adversarial_texts(max_len=limits.PASSWORD_HASH_MAX_BYTES),
    "created_at": adversarial_datetimes, "completed_at": adversarial_datetimes, "timestamp": adversarial_datetimes,
    "start": adversarial_datetimes, "end": adversarial_datetimes,
    "tokens_used": adversarial_amounts, "cost": adversarial_amounts,
    "payload": adversarial_payloads, "workspace": adversarial_payloads, "data": adversarial_payloads,
    "setup_data": adversarial_payloads,
    "is_setup_complete": _bools,
    "limit": adversarial_limits,
    "entries": lambda: adversarial_batches(admin_id=U),
}
#: Where an operation's ``id`` argument is a user id; elsewhere it is an entity id.
_USER_IDS = {"create_user"}
#: Each keyset listing's cursor, for the parent the operation's base arguments name.
CURSORS: dict[str, tuple[str, str | None]] = {
    "list_campaigns": ("campaigns", U), "list_clients": ("clients", None), "list_usage": ("billing", C),
}


@cache  # one strategy per kind, shared by every argument of that kind (see _strategy)
def _built(kind: Draw) -> SearchStrategy[Adversarial]:
    return kind()


@cache  # building a cursor strategy builds its million-character examples
def _strategy(op: str, arg: str) -> SearchStrategy[Adversarial]:
    """The adversarial values of ``arg``.  Arguments of one kind share one strategy object (the 87
    arguments draw from 16): Hypothesis validates a strategy, the whole tree of its parts, at its
    first draw, once per object."""
    if arg == "after":
        listing, parent = CURSORS[op]
        return crafted_cursors(listing=listing, parent=parent)
    if arg == "id":
        return _built(USER if op in _USER_IDS else ENTITY)
    return _built(KINDS[arg])


# -- every operation -----------------------------------------------------------------

Read = Callable[[Adapter, Mapping[str, Any]], object]


@dataclass(frozen=True)
class Call:
    """An operation with valid base arguments and, for a write, how to read back what it changed."""

    op: Op
    read: Read | None = None

    @property
    def name(self) -> str:
        return self.op.name

    @property
    def arguments(self) -> list[str]:
        return sorted(self.op.base)


_WRITES = {op.name: op for op in OPS}


def _w(name: str, read: Read, **extra: object) -> Call:
    op = _WRITES[name]
    return Call(Op(op.name, op.positional, {**op.base, **extra}, {}), read)


def _r(name: str, positional: tuple[str, ...], **base: object) -> Call:
    return Call(Op(name, positional, base, {}))


def _user(a: Adapter, k: Mapping[str, Any]) -> object:
    return a.get_user(k["id"] if "id" in k else k["user_id"])


def _integration(a: Adapter, k: Mapping[str, Any]) -> object:
    return a.get_integration(k["user_id"], k["category"], k["provider"])


def _campaign(a: Adapter, k: Mapping[str, Any]) -> object:
    return a.get_campaign(k["id"] if "id" in k else k["campaign_id"])


def _client(a: Adapter, k: Mapping[str, Any]) -> object:
    return a.get_client(k["id"] if "id" in k else k["client_id"])


def _links(a: Adapter, k: Mapping[str, Any]) -> object:
    return a.list_admin_clients(k["admin_id"]), a.list_client_admins(k["client_id"])


def _oauth(a: Adapter, k: Mapping[str, Any]) -> object:
    return a.get_oauth(k["client_id"], k["platform"])


def _client_campaign(a: Adapter, k: Mapping[str, Any]) -> object:
    return a.get_client_campaign(k["id"] if "id" in k else k["campaign_id"])


def _usage(a: Adapter, k: Mapping[str, Any]) -> object:
    return a.list_usage(k["client_id"])


_DAY = timedelta(days=1)
_WINDOW = {"start": T0 - _DAY, "end": T0 + _DAY, "limit": 1, "after": None}

CALLS: list[Call] = [
    _w("create_user", _user), _w("update_user", _user, email="renamed@example.com", password_hash="h2"),
    _w("delete_user", _user),
    _r("get_user", ("user_id",), user_id=U), _r("get_user_by_email", ("email",), email="admin@example.com"),
    _w("save_user_setup", lambda a, k: a.get_user_setup(k["user_id"])),
    _r("get_user_setup", ("user_id",), user_id=U),
    _w("save_user_workspace", lambda a, k: a.get_user_workspace(k["user_id"])),
    _r("get_user_workspace", ("user_id",), user_id=U),
    _w("save_integration", _integration), _w("delete_integration", _integration),
    _r("get_integration", ("user_id", "category", "provider"), user_id=U, category=CAT, provider=PROV),
    _r("list_integrations", ("user_id",), user_id=U, category=CAT),
    _w("create_campaign", _campaign), _w("update_campaign", _campaign), _w("delete_campaign", _campaign),
    _r("get_campaign", ("campaign_id",), campaign_id=M),
    _r("list_campaigns", ("user_id",), user_id=U, **_WINDOW),
    _w("create_client", _client), _w("update_client", _client), _w("delete_client", _client),
    _r("get_client", ("client_id",), client_id=C), _r("list_clients", (), limit=1, after=None),
    _w("link_admin", _links), _w("unlink_admin", _links),
    _r("list_admin_clients", ("admin_id",), admin_id=U), _r("list_client_admins", ("client_id",), client_id=C),
    _w("save_oauth", _oauth), _w("delete_oauth", _oauth),
    _r("get_oauth", ("client_id", "platform"), client_id=C, platform=PLAT),
    _r("list_oauth", ("client_id",), client_id=C),
    _w("save_client_campaign", _client_campaign), _w("delete_client_campaign", _client_campaign),
    _r("get_client_campaign", ("campaign_id",), campaign_id=K),
    _r("list_client_campaigns", ("client_id",), client_id=C),
    _w("record_usage", _usage),
    _r("list_usage", ("client_id",), client_id=C, **_WINDOW),
    _r("usage_totals", ("client_id",), client_id=C, start=T0 - _DAY, end=T0 + _DAY),
]
BATCH = Call(Op("record_usage_batch", ("client_id", "entries"),
                {"client_id": C, "entries": [UsageInput(T0, 1, Decimal("0.25"), U)]}, {}), _usage)


# -- the check -------------------------------------------------------------------------

def _exact(a: object, b: object) -> bool:
    """Equal, and of the same exact types all the way down (a str subclass is not a str)."""
    if type(a) is not type(b):
        return False
    if is_dataclass(a) and not isinstance(a, type):
        return all(_exact(getattr(a, f.name), getattr(b, f.name)) for f in fields(a))
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return a.keys() == b.keys() and all(type(k) is str for k in a) and all(_exact(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple))
        return len(a) == len(b) and all(_exact(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _comparable(result: object) -> object:
    """``result`` without what legitimately differs between two storages: billing ids
    (each storage numbers its own entries) and so a billing page's cursor."""
    if isinstance(result, BillingEntry):
        return replace(result, id="")
    if isinstance(result, Page):
        return (tuple(_comparable(item) for item in result.items), result.next_cursor is None)
    if isinstance(result, (list, tuple)):
        return type(result)(_comparable(item) for item in result)
    return result


Outcome = tuple[str, object]


def _outcome(action: Callable[[], object]) -> Outcome:
    """("ok", comparable result) or ("error", (class, field)); an undocumented exception escapes as a failure."""
    try:
        return "ok", _comparable(action())
    except Exception as exc:
        if type(exc) not in DOCUMENTED:
            raise AssertionError(f"raw {type(exc).__name__} escaped the adapter: {str(exc)[:200]}\n"
                                 f"adapter:   raised {type(exc).__name__}\n"
                                 "reference: only the documented errors (adapters/errors.py)") from exc
        return "error", (type(exc), getattr(exc, "field", None))


@cache
def _seeded_store() -> MemoryStore:
    reference = MemoryAdapter()
    seed(reference)
    return reference.store


def _reference() -> MemoryAdapter:
    """The reference on its own copy of the seeded rows: records are frozen and the reference
    replaces them rather than changing them, so copying the tables copies the state."""
    store = _seeded_store()
    tables = {f.name: copy.copy(getattr(store, f.name)) for f in fields(store) if f.name != "lock"}
    return MemoryAdapter(MemoryStore(**tables))


def check_call(adapter: Adapter, raw_snapshot: Snapshot, call: Call, arg: str, drawn: Adversarial,
               before: Rows) -> bool:
    """``drawn.value`` as ``arg`` must have the outcome ``drawn.canonical`` has on the reference,
    from the storage whose raw rows are ``before``.  True when the rows were read again and are
    still ``before`` (a refused call)."""
    got = _outcome(lambda: call.op.invoke(adapter, {**call.op.base, arg: drawn.value}))
    canonical = {**call.op.base, arg: drawn.canonical}
    reference = _reference()
    if drawn.canonical is REFUSED:
        expected: Outcome = "error", (ValidationError, arg)
    else:
        expected = _outcome(lambda: call.op.invoke(reference, canonical))

    def called(what: str = "") -> str:
        return f"{call.name}({arg}={drawn!r}), standing for {_brief(drawn.canonical)}{what}"

    if got[0] == "error":
        assert raw_snapshot() == before, f"{called()}: {wrote_anyway(_show(got))}"
    expect_same(_show(got), _show(expected), call=called)
    if got[0] == "ok":
        expect_same(got[1], expected[1], call=lambda: called(": its result"), same=_exact)
        if call.read is not None:
            stored, wanted = _comparable(call.read(adapter, canonical)), _comparable(call.read(reference, canonical))
            expect_same(stored, wanted, call=lambda: called(": what it stored, read back"), same=_exact)
    return got[0] == "error"


def _brief(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 300 else f"{text[:280]}... ({len(text)} characters)"


def _show(outcome: Outcome) -> str:
    kind, detail = outcome
    if kind == "ok":
        return "success"
    error, field = detail  # type: ignore[misc]
    return f"{error.__name__}({field!r})"


class _Storage:
    """The seeded storage across one test's examples.  Reading it raw is most of an example's
    cost, so a refused call, whose rows were just read and found unchanged, hands them on to
    the next example instead of a second read."""

    def __init__(self, fresh: Callable[[], Adapter], raw_snapshot: Snapshot) -> None:
        self._fresh, self._raw = fresh, raw_snapshot
        self._known: tuple[Adapter, Rows] | None = None

    def check(self, call: Call, arg: str, drawn: Adversarial) -> None:
        known, self._known = self._known, None
        adapter, before = known if known is not None else (self._fresh(), self._raw())
        if check_call(adapter, self._raw, call, arg, drawn, before):
            self._known = adapter, before


def _draw_and_check(storage: _Storage, tally: Tally, call: Call, data: st.DataObject) -> None:
    arg = data.draw(st.sampled_from(call.arguments), label="argument")
    drawn = data.draw(_strategy(call.name, arg), label=arg)
    tally("adversarial_inputs", 1)
    storage.check(call, arg, drawn)


@pytest.fixture
def storage(fresh: Callable[[], Adapter], raw_snapshot: Snapshot) -> _Storage:
    return _Storage(fresh, raw_snapshot)


#: Per operation, two fifths of the profile's examples: there are 37 operations, and with
#: the explicit cases below that is some 600 inputs per engine at the dev profile.
EXAMPLES = settings(max_examples=max(1, settings().max_examples * 2 // 5))


@pytest.mark.parametrize("call", CALLS, ids=[c.name for c in CALLS])
@EXAMPLES
@given(data=st.data())
def test_adversarial_argument_is_what_it_stands_for(
    storage: _Storage, tally: Tally, call: Call, data: st.DataObject
) -> None:
    """One argument of this operation adversarial: the reference's outcome for its builtin value."""
    _draw_and_check(storage, tally, call, data)


@pytest.mark.capability("usage_batch")
@EXAMPLES
@given(data=st.data())
def test_adversarial_batch_is_what_it_stands_for(storage: _Storage, tally: Tally, data: st.DataObject) -> None:
    _draw_and_check(storage, tally, BATCH, data)


# -- explicit cases: crafted cursors and bad tzinfos ------------------------------------

Case = tuple[str, str, Adversarial]  # (label, argument, value)


def _run_cases(fresh: Callable[[], Adapter], raw_snapshot: Snapshot, tally: Tally, call: Call,
               cases: list[Case]) -> None:
    def check(adapter: Adapter, case: Case, before: Rows) -> None:
        tally("adversarial_inputs", 1)
        check_call(adapter, raw_snapshot, call, case[1], case[2], before)

    check_each_unchanged(fresh, raw_snapshot, cases, check, lambda case: case[0])


LISTING_CALLS = [c for c in CALLS if c.name in CURSORS]


@pytest.mark.parametrize("call", LISTING_CALLS, ids=[c.name for c in LISTING_CALLS])
def test_crafted_cursor_is_refused(
    fresh: Callable[[], Adapter], raw_snapshot: Snapshot, tally: Tally, call: Call
) -> None:
    """Every crafted cursor, among them "k1." + base64 of 100,000 "[": ValidationError("after")."""
    listing, parent = CURSORS[call.name]
    cases = [(name, "after", Adversarial(value, REFUSED, name))
             for name, value in crafted_cursor_examples(listing=listing, parent=parent).items()]
    _run_cases(fresh, raw_snapshot, tally, call, cases)


@pytest.mark.parametrize("call", LISTING_CALLS, ids=[c.name for c in LISTING_CALLS])
def test_forged_cursor_selects_what_the_reference_selects(
    fresh: Callable[[], Adapter], raw_snapshot: Snapshot, tally: Tally, call: Call
) -> None:
    """Well-formed cursors no adapter issued (a NUL or a lone surrogate in the id, times beyond 64
    bits or before 1970): the rows after that key, as the reference pages them, never an error."""
    listing, parent = CURSORS[call.name]
    cases = [(name, "after", Adversarial(value, value, name))
             for name, value in forged_cursor_examples(listing=listing, parent=parent).items()]
    _run_cases(fresh, raw_snapshot, tally, call, cases)


TIMED = {c.name: [a for a in c.arguments if KINDS.get(a) is adversarial_datetimes] for c in CALLS}
TIMED_CALLS = [c for c in CALLS if TIMED[c.name]]


@pytest.mark.parametrize("call", TIMED_CALLS, ids=[c.name for c in TIMED_CALLS])
def test_bad_tzinfo_is_refused(fresh: Callable[[], Adapter], raw_snapshot: Snapshot, tally: Tally, call: Call) -> None:
    """Every time argument with every tzinfo whose utcoffset() raises or answers out of range."""
    cases = [(f"{arg}-{name}", arg, Adversarial(datetime(2024, 5, 1, 12, tzinfo=zone), REFUSED, name))
             for arg in TIMED[call.name] for name, zone in bad_tzinfo_examples().items()]
    _run_cases(fresh, raw_snapshot, tally, call, cases)


def test_a_real_cursor_is_refused_by_another_parent_and_when_cut(
    fresh: Callable[[], Adapter], raw_snapshot: Snapshot, tally: Tally
) -> None:
    """The adapter's own cursors: one user's (client's) is refused on another's listing, and cut short."""
    adapter = fresh()
    before = raw_snapshot()
    campaigns = adapter.list_campaigns(U, limit=1).next_cursor
    billing = adapter.list_usage(C, limit=1).next_cursor
    assert campaigns is not None
    assert billing is not None
    attempts: list[tuple[str, Callable[[], object]]] = [
        ("campaigns-of-another-user", lambda: adapter.list_campaigns(DECOY, limit=1, after=campaigns)),
        ("billing-of-another-client", lambda: adapter.list_usage(DECOY, limit=1, after=billing)),
        ("campaigns-cut", lambda: adapter.list_campaigns(U, limit=1, after=campaigns[:-2])),
        ("billing-cut", lambda: adapter.list_usage(C, limit=1, after=billing[: len(billing) // 2])),
    ]
    tally("adversarial_inputs", len(attempts))
    for label, attempt in attempts:
        got = _outcome(attempt)
        assert got == ("error", (ValidationError, "after")), f"{label}: the adapter gave {_show(got)}"
    assert raw_snapshot() == before
