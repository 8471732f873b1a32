"""Small helpers shared by the contracts: factories, UTC times, error and snapshot checks."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import AdapterError
from adapter_contracts.adapters.records import Campaign, Client, Page, User
from adapter_contracts.contracts.explain import short

#: The ``tally`` fixture: count ``n`` inputs of a kind for the conformance report.
Tally = Callable[[str, int], None]

T = TypeVar("T")
S = TypeVar("S")
Rows = dict[str, list[tuple[object, ...]]]
Snapshot = Callable[[], Rows]

_serial = itertools.count(1)

# Code-point order of these keys differs from every common collation:
# general_ci gives A,a,B,b,é,_x; locale-aware collations put _x first.
CODE_POINT_ORDER = ["A", "B", "_x", "a", "b", "é"]
# Shuffled so that insertion order never happens to be the listing order.
CODE_POINT_SHUFFLED = ["b", "é", "A", "_x", "a", "B"]


def utc(year: int, month: int = 1, day: int = 1, hour: int = 0, minute: int = 0, second: int = 0,
        micro: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


T0 = utc(2024, 5, 1, 12)


def ms(n: int) -> timedelta:
    return timedelta(milliseconds=n)


def unique_email() -> str:
    return f"user{next(_serial)}@example.com"


def make_user(adapter: Adapter, **kw: Any) -> User:
    kw.setdefault("email", unique_email())
    kw.setdefault("password_hash", "hash")
    return adapter.create_user(**kw)


def make_client(adapter: Adapter, **kw: Any) -> Client:
    kw.setdefault("payload", {})
    return adapter.create_client(**kw)


def make_campaign(adapter: Adapter, user_id: str, **kw: Any) -> Campaign:
    kw.setdefault("payload", {})
    return adapter.create_campaign(user_id=user_id, **kw)


def raises(kind: type[AdapterError], field: str | None, action: Callable[[], object]) -> AdapterError:
    """Run ``action``, require exactly ``kind`` (or a subclass) and, when given, its ``field``."""
    __tracebackhide__ = True  # the failure is the caller's line, not this helper's
    expected = f"{kind.__name__}(field={field!r})" if field is not None else kind.__name__
    try:
        returned = action()
    except kind as exc:
        if field is not None and getattr(exc, "field", None) != field:
            pytest.fail(f"{kind.__name__} names {getattr(exc, 'field', None)!r}, not {field!r}\n"
                        f"adapter:   raised {type(exc).__name__}(field={getattr(exc, 'field', None)!r}): "
                        f"{short(str(exc), 120)}\nreference: raises {expected}")
        return exc
    except AdapterError as exc:
        pytest.fail(f"raised {type(exc).__name__}, not {kind.__name__}\n"
                    f"adapter:   raised {type(exc).__name__}: {short(str(exc), 120)}\nreference: raises {expected}")
    except Exception as exc:  # noqa: BLE001 - a raw exception is the adapter's answer here
        pytest.fail(f"{type(exc).__name__}: {short(str(exc), 120)} (not an adapter error)\n"
                    f"adapter:   raised {type(exc).__name__}, which is not in adapters/errors.py\n"
                    f"reference: raises {expected}")
    # pytest.fail, as pytest.raises did: check_each lists such a case without an exception class.
    pytest.fail(f"DID NOT RAISE {kind.__name__}\nadapter:   returned {short(returned)}\nreference: raises {expected}")


def assert_unchanged(raw_snapshot: Snapshot, action: Callable[[], object],
                     kind: type[AdapterError] = AdapterError, field: str | None = None) -> AdapterError:
    """``action`` must raise ``kind`` (naming ``field``) and leave every table exactly as it was."""
    before = raw_snapshot()
    error = raises(kind, field, action)
    assert raw_snapshot() == before, wrote_anyway(error)
    return error


def wrote_anyway(raised: AdapterError | str) -> str:
    """The message of a refusal that wrote anyway; ``raised`` is the error or its description."""
    what = raised if isinstance(raised, str) else type(raised).__name__
    return (f"{what} was raised but storage changed\n"
            f"adapter:   raised {what} and wrote\nreference: raises it with nothing written")


def is_utc(value: datetime) -> bool:
    return value.tzinfo is not None and value.utcoffset() == timedelta(0)


def same_json(a: object, b: object) -> bool:
    """Equal as JSON values: like ``==`` but True is not 1 and 1 is not 1.0; key order ignored."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list):
        assert isinstance(b, list)
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def collect_pages(listing: Callable[..., Page[T]], limit: int, max_pages: int = 10_000) -> list[T]:
    """Follow ``next_cursor`` from the first page; every page but the last is full."""
    items: list[T] = []
    after: str | None = None
    for _ in range(max_pages):
        page = listing(limit=limit, after=after)
        items.extend(page.items)
        if page.next_cursor is None:
            assert len(page.items) <= limit
            return items
        assert len(page.items) == limit, "a page with a next_cursor must be full"
        after = page.next_cursor
    raise AssertionError("pagination did not terminate")


#: In a case matrix's failure: the cases shown with their whole message, and its lines per case.
DETAILED_CASES = 2
DETAILED_LINES = 8


def check_each(cases: Sequence[T], check: Callable[[T], None], label: Callable[[T], str],
               after_failure: Callable[[], None] = lambda: None) -> None:
    """Run ``check`` on every case and fail once, listing every case that failed with its reason.

    For case matrices (hostile values, edge payloads, time and amount domains):
    one test per operation or field instead of one per value, because a pytest
    item of its own costs more than such a case, and parallel runs pay that
    twice.  ``after_failure`` restores a known state before the next case.
    """
    __tracebackhide__ = True  # the failure is the caller's line, not this helper's
    failures: list[str] = []
    for case in cases:
        try:
            check(case)
        except (Exception, pytest.fail.Exception) as exc:  # noqa: BLE001 - every failure is listed
            lines = str(exc).strip().splitlines() or [""]
            kind = "" if isinstance(exc, pytest.fail.Exception) else f"{type(exc).__name__}: "
            # The first failures in full (the adapter's and the reference's answer), the rest in one
            # line each: one broken rule often fails every case alike.
            detail = lines[1:DETAILED_LINES] if len(failures) < DETAILED_CASES else []
            failures.append("\n    ".join([f"{label(case)}: {kind}{lines[0]}", *detail]))
            after_failure()
    if failures:
        pytest.fail(f"{len(failures)} of {len(cases)} cases failed:\n  " + "\n  ".join(failures))


def check_each_unchanged(start: Callable[[], S], raw_snapshot: Snapshot, cases: Sequence[T],
                         check: Callable[[S, T, Rows], None], label: Callable[[T], str]) -> None:
    """:func:`check_each` from the state ``start`` makes and the raw rows read right after it.

    ``check`` gets that state, the case and those rows, and must leave storage
    exactly as the rows say (it asserts that), so the same state serves every
    case and one read per case suffices.  A failed case may have written, so
    ``start`` runs again before the next one.
    """
    current: list[tuple[S, Rows]] = []

    def restart() -> None:
        state = start()
        current[:] = [(state, raw_snapshot())]

    restart()
    check_each(cases, lambda case: check(current[0][0], case, current[0][1]), label, restart)


def check_rejections(fresh: Callable[[], Adapter], raw_snapshot: Snapshot, prepare: Callable[[Adapter], T],
                     cases: Sequence[tuple[str, object]], attempt: Callable[[Adapter, T, object], object],
                     kind: type[AdapterError], field: str | None,
                     tally: Callable[[str, int], None] | None = None) -> None:
    """Every ``(label, value)`` case: ``attempt`` raises ``kind`` naming ``field`` and writes nothing.

    Storage is emptied and prepared once (again after a failed case); each
    case counts as a hostile input in the report when ``tally`` is given.
    """

    def start() -> tuple[Adapter, T]:
        adapter = fresh()
        return adapter, prepare(adapter)

    def check(state: tuple[Adapter, T], case: tuple[str, object], before: Rows) -> None:
        if tally is not None:
            tally("hostile_inputs", 1)
        adapter, prepared = state
        error = raises(kind, field, lambda: attempt(adapter, prepared, case[1]))
        assert raw_snapshot() == before, wrote_anyway(error)

    check_each_unchanged(start, raw_snapshot, cases, check, lambda case: case[0])
