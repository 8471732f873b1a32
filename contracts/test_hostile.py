"""Hostile input on every write, and valid input that only looks hostile.

Every write operation gets every bad value kind for every argument, one bad
argument per call, against storage that already holds rows (see
:mod:`contracts.hostile_cases`).  The call must raise ValidationError naming
the argument and leave the raw storage exactly as it was.  Strings shaped like
SQL, LIKE or Mongo-operator injections are valid data: they must round-trip
unchanged through every text field, key and payload, and keys must still
compare exactly.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest

from adapters.base import Adapter
from adapters.errors import ValidationError
from contracts.hostile_cases import (
    BATCH_CASES,
    HOSTILE_CASES,
    INJECTION_LOOKALIKES,
    PAYLOAD_SINKS,
    ROUNDTRIPS,
    TEXT_SINKS,
    Case,
    PayloadSink,
    RoundTrip,
    TextSink,
    as_email,
    lookalike_payload,
    near_variants,
    seed,
)
from contracts.support import Snapshot, assert_unchanged, same_json
from harness.session import StartedEngine

Tally = Callable[[str, int], None]

RawRows = dict[str, list[tuple[object, ...]]]

# Raw snapshot of each engine's storage right after seed(), by backend identity.
_SEEDED: dict[int, RawRows] = {}


@pytest.fixture
def _handover() -> list[RawRows]:
    """The raw snapshot ``fresh`` took last, until the test's first ``raw_snapshot()`` takes it."""
    return []


@pytest.fixture
def fresh(engine: StartedEngine, _handover: list[RawRows]) -> Callable[[], Adapter]:
    """Overrides the plugin's ``fresh`` for this module: storage holding exactly the seeded rows.

    Seeding takes about twenty committed writes, which would dominate cases that
    write nothing; so storage is reset and re-seeded only when its raw snapshot
    differs from the seeded one, i.e. after a test wrote or another module reset.
    """

    def reset() -> Adapter:
        backend = engine.backend
        now = backend.snapshot()
        if _SEEDED.get(id(backend)) != now:
            backend.reset()
            seed(engine.adapter)
            now = _SEEDED[id(backend)] = backend.snapshot()
        _handover[:] = [now]
        return engine.adapter

    return reset


@pytest.fixture
def raw_snapshot(engine: StartedEngine, _handover: list[RawRows]) -> Snapshot:
    """The plugin's raw read, except that the first call returns the raw snapshot ``fresh``
    has just taken (nothing ran in between), saving one full read per case."""

    def snapshot() -> RawRows:
        return _handover.pop() if _handover else engine.backend.snapshot()

    return snapshot


def _reject(adapter: Adapter, raw_snapshot: Snapshot, tally: Tally, case: Case) -> None:
    tally("hostile_inputs", 1)
    assert_unchanged(raw_snapshot, lambda: case.run(adapter), ValidationError, case.field)


@pytest.mark.parametrize("case", HOSTILE_CASES, ids=[c.id for c in HOSTILE_CASES])
def test_hostile_argument_is_rejected_and_writes_nothing(
    adapter: Adapter, raw_snapshot: Snapshot, tally: Tally, case: Case
) -> None:
    _reject(adapter, raw_snapshot, tally, case)


@pytest.mark.capability("usage_batch")
@pytest.mark.parametrize("case", BATCH_CASES, ids=[c.id for c in BATCH_CASES])
def test_hostile_batch_is_rejected_and_writes_nothing(
    adapter: Adapter, raw_snapshot: Snapshot, tally: Tally, case: Case
) -> None:
    _reject(adapter, raw_snapshot, tally, case)


# -- look-alikes are data ------------------------------------------------------


@pytest.mark.parametrize("case", ROUNDTRIPS, ids=[c.id for c in ROUNDTRIPS])
def test_injection_lookalike_round_trips_and_compares_exactly(
    adapter: Adapter, raw_snapshot: Snapshot, tally: Tally, case: RoundTrip
) -> None:
    tally("injection_roundtrips", 1)
    before = raw_snapshot()
    sink, value = case.sink, case.value
    if sink.keyed:
        # Seeded rows exist: a LIKE pattern or an operator would match one of them.
        assert sink.read(adapter, value) is None, "a lookup matched a row with a different key"
    sink.store(adapter, value)
    got = sink.read(adapter, value)
    assert type(got) is str, f"read back {got!r}"
    assert got == value, f"stored {value!r}, read back {got!r}"
    for variant in near_variants(sink, value) if sink.keyed else []:
        assert sink.read(adapter, variant) is None, f"{variant!r} found the row stored as {value!r}"
    # Deleting by the look-alike key removes exactly what was stored, nothing else.
    sink.remove(adapter, value)
    assert raw_snapshot() == before, "deleting by the look-alike key did not restore storage exactly"


@pytest.mark.parametrize("sink", PAYLOAD_SINKS, ids=[s.name for s in PAYLOAD_SINKS])
def test_injection_lookalikes_round_trip_in_payloads(adapter: Adapter, tally: Tally, sink: PayloadSink) -> None:
    # All look-alikes at once, as keys and values: "\u00e9" and "e\u0301" must stay two keys.
    values = [value for _, value in INJECTION_LOOKALIKES]
    tally("injection_roundtrips", len(values))
    payload = lookalike_payload(values)
    sink.write(adapter, payload)
    got = sink.read(adapter)
    assert same_json(got, payload), f"wrote {payload!r}, read back {got!r}"


KEYED = [s for s in TEXT_SINKS if s.keyed]


@pytest.mark.parametrize("sink", KEYED, ids=[s.name for s in KEYED])
def test_composed_and_decomposed_keys_are_two_keys(adapter: Adapter, tally: Tally, sink: TextSink) -> None:
    composed = "caf\u00e9"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    values = [as_email(v) if sink.email else v for v in (composed, decomposed)]
    tally("injection_roundtrips", 1)
    for value in values:
        sink.store(adapter, value)
    assert [sink.read(adapter, v) for v in values] == values
