"""Hostile input on every write, and valid input that only looks hostile.

Every write operation gets every bad value kind for every argument, one bad
argument per call, against storage that already holds rows (see
:mod:`adapter_contracts.contracts.hostile_cases`).  The call must raise ValidationError naming
the argument and leave the raw storage exactly as it was.  Strings shaped like
SQL, LIKE or Mongo-operator injections are valid data: they must round-trip
unchanged through every text field, key and payload, and keys must still
compare exactly.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

import pytest

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import ValidationError
from adapter_contracts.contracts import seeded
from adapter_contracts.contracts.explain import expect_same
from adapter_contracts.contracts.hostile_cases import (
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
)
from adapter_contracts.contracts.support import (
    Rows,
    Snapshot,
    Tally,
    check_each_unchanged,
    raises,
    same_json,
    wrote_anyway,
)

# This module's cases run against storage holding seed()'s rows.
fresh, raw_snapshot, _handover = seeded.fresh, seeded.raw_snapshot, seeded._handover


def _groups(cases: Sequence[Case]) -> dict[str, list[Case]]:
    grouped: dict[str, list[Case]] = {}
    for case in cases:
        grouped.setdefault(f"{case.op.name}-{case.field}", []).append(case)
    return grouped


HOSTILE_GROUPS = _groups(HOSTILE_CASES)
BATCH_GROUPS = _groups(BATCH_CASES)


def _reject(raw_snapshot: Snapshot, tally: Tally) -> Callable[[Adapter, Case, Rows], None]:
    def check(adapter: Adapter, case: Case, before: Rows) -> None:
        tally("hostile_inputs", 1)
        error = raises(ValidationError, case.field, lambda: case.run(adapter))
        assert raw_snapshot() == before, wrote_anyway(error)

    return check


def _kind(case: Case) -> str:
    return case.id.removeprefix(f"{case.op.name}-{case.field}-")


@pytest.mark.parametrize("group", HOSTILE_GROUPS, ids=list(HOSTILE_GROUPS))
def test_hostile_argument_is_rejected_and_writes_nothing(
    fresh: Callable[[], Adapter], raw_snapshot: Snapshot, tally: Tally, group: str
) -> None:
    """Every hostile kind of this argument: ValidationError naming it, storage unchanged."""
    check_each_unchanged(fresh, raw_snapshot, HOSTILE_GROUPS[group], _reject(raw_snapshot, tally), _kind)


@pytest.mark.capability("usage_batch")
@pytest.mark.parametrize("group", BATCH_GROUPS, ids=list(BATCH_GROUPS))
def test_hostile_batch_is_rejected_and_writes_nothing(
    fresh: Callable[[], Adapter], raw_snapshot: Snapshot, tally: Tally, group: str
) -> None:
    check_each_unchanged(fresh, raw_snapshot, BATCH_GROUPS[group], _reject(raw_snapshot, tally), _kind)


# -- look-alikes are data ------------------------------------------------------


def _round_trip(raw_snapshot: Snapshot, tally: Tally) -> Callable[[Adapter, RoundTrip, Rows], None]:
    def check(adapter: Adapter, case: RoundTrip, before: Rows) -> None:
        tally("injection_roundtrips", 1)
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

    return check


def _by_sink(cases: Sequence[RoundTrip]) -> dict[str, list[RoundTrip]]:
    grouped: dict[str, list[RoundTrip]] = {}
    for case in cases:
        grouped.setdefault(case.sink.name, []).append(case)
    return grouped


ROUNDTRIP_GROUPS = _by_sink(ROUNDTRIPS)


@pytest.mark.parametrize("sink", ROUNDTRIP_GROUPS, ids=list(ROUNDTRIP_GROUPS))
def test_injection_lookalike_round_trips_and_compares_exactly(
    fresh: Callable[[], Adapter], raw_snapshot: Snapshot, tally: Tally, sink: str
) -> None:
    """Every look-alike through this text field: stored and read back exactly, found by no near variant."""
    check_each_unchanged(fresh, raw_snapshot, ROUNDTRIP_GROUPS[sink], _round_trip(raw_snapshot, tally),
               lambda case: case.id.removeprefix(f"{sink}-"))


@pytest.mark.parametrize("sink", PAYLOAD_SINKS, ids=[s.name for s in PAYLOAD_SINKS])
def test_injection_lookalikes_round_trip_in_payloads(adapter: Adapter, tally: Tally, sink: PayloadSink) -> None:
    # All look-alikes at once, as keys and values: "\u00e9" and "e\u0301" must stay two keys.
    values = [value for _, value in INJECTION_LOOKALIKES]
    tally("injection_roundtrips", len(values))
    payload = lookalike_payload(values)
    sink.write(adapter, payload)
    got = sink.read(adapter)
    expect_same(got, payload, call="reading back an injection look-alike", same=same_json)


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
