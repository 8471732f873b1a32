"""Raw rows as the harness's snapshots compare them (adapter_contracts/harness/engines/rows.py).

A snapshot is read after every call that must write nothing and compared with the one before
it, so two reads of the same stored rows must come out equal whatever order the server
returned them in, and rows whose columns hold values of any mix of types (a layout that
deviates) must still sort.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from adapter_contracts.harness.engines.rows import plain, sort_key, sorted_rows

#: Values a driver hands back, NaNs, aware and naive datetimes, JSON documents and buffers among them.
VALUES: st.SearchStrategy[Any] = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.decimals(), st.text(max_size=3),
    st.binary(max_size=3), st.dates(), st.times(), st.timedeltas(), st.uuids(),
    st.datetimes(), st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5))])),
    st.dictionaries(st.text(max_size=2), st.integers() | st.text(max_size=2), max_size=3),
    st.lists(st.integers(), max_size=3),
    st.binary(max_size=3).map(bytearray), st.binary(max_size=3).map(memoryview),
)
TABLES = st.integers(1, 4).flatmap(lambda width: st.lists(st.tuples(*[VALUES] * width), max_size=8))


@settings(max_examples=150, deadline=None)
@given(rows=TABLES, data=st.data())
def test_the_same_rows_in_any_order_read_the_same(rows: list[tuple[Any, ...]], data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(rows), label="the server's order")
    first, second = sorted_rows(rows), sorted_rows(shuffled)
    # repr: a NaN equals nothing, not even itself, yet two reads of it are the same read.
    assert repr(first) == repr(second)
    assert sorted(map(repr, first)) == sorted(repr(tuple(map(plain, row))) for row in rows)
    keys = [sort_key(row) for row in first]
    assert all(keys[i] <= keys[i + 1] for i in range(len(keys) - 1)), "not in sort_key order"


def test_plain_values_are_canonical_and_hashable() -> None:
    east = timezone(timedelta(hours=2))
    assert plain({"b": 1, "a": [2, {"d": None, "c": "é"}]}) == '{"a": [2, {"c": "\\u00e9", "d": null}], "b": 1}'
    assert plain(datetime(2024, 1, 1, 2, tzinfo=east)) == datetime(2024, 1, 1, tzinfo=UTC)
    assert plain(datetime(2024, 1, 1)) == datetime(2024, 1, 1)  # naive stays naive
    assert plain(memoryview(b"ab")) == plain(bytearray(b"ab")) == b"ab"
    for value in (None, True, 3, 1.5, Decimal("1.20"), "x", b"x", date(2024, 1, 1), time(1), timedelta(2),
                  UUID(int=1)):
        assert plain(value) is value
    hash(tuple(plain(v) for v in ({"a": 1}, [1], bytearray(b"x"), datetime(2024, 1, 1, tzinfo=east))))


def test_nulls_sort_first_and_types_never_meet() -> None:
    rows = [("b",), (None,), (2,), ("a",), (True,), (Decimal("NaN"),), (float("nan"),), (1,)]
    ordered = [row[0] for row in sorted_rows(rows)]
    assert ordered[0] is None
    # Grouped by type name (bool, int, str), the NaNs apart from the values that order.
    assert [v for v in ordered if type(v) in (bool, int, str)] == [True, 1, 2, "a", "b"]
    assert {type(v) for v in ordered[-2:]} == {Decimal, float}
