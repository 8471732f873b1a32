"""Usage streams and time windows for the billing properties.

A stream is the arrival order of ``record_usage`` calls: timestamps arrive out
of order and in bursts of equal (or equal-after-truncation) instants, and
amounts reach both ends of DECIMAL(18, 4), so sums exercise exact arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from adapter_contracts.adapters import limits
from adapter_contracts.strategies._validate import (
    check_aware,
    check_bounded_int,
    check_interval,
    check_ordered,
    check_points,
    check_positive_timedelta,
)
from adapter_contracts.strategies.entities import FIXED_OFFSETS

__all__ = ["DEFAULT_START", "UsageInput", "billing_streams", "window_splits"]

DEFAULT_START = datetime(2024, 1, 1, tzinfo=UTC)
DEFAULT_SPAN = timedelta(days=30)

#: Entries at the top of the scale per stream: 20 * 10^14 keeps every sum
#: below 10^16, inside DECIMAL(20, 4)-sized aggregates and exact in Decimal.
_MAX_HUGE = 20
_HUGE = Decimal("99999999999999.9999")
_ONE_MS = timedelta(milliseconds=1)


@dataclass(frozen=True)
class UsageInput:
    """The arguments of one ``record_usage`` call."""

    timestamp: datetime
    tokens_used: Decimal
    cost: Decimal


def _check_window(start: object, span: object) -> tuple[datetime, timedelta]:
    span_td = check_positive_timedelta("span", span)
    start_utc = check_aware("start", start)
    try:
        end = start_utc + span_td
    except OverflowError:
        raise InvalidArgument(f"start={start!r} plus span={span!r} leaves the datetime range") from None
    check_interval("start", start, "start + span", end)
    return start_utc, span_td


# Built once: a strategy made inside a draw is validated anew every time, which
# cost more than the drawing itself (200 streams: 2.8 s, 1.3 s with these built once).
_KINDS = st.sampled_from(("small", "small", "small", "tiny", "round", "huge"))
_ONE_IN_FOUR = st.integers(0, 3)
_TINY = st.sampled_from((Decimal("0.0001"), Decimal(0), Decimal("0.0009")))
# Same values, spelled with exponents or extra zeros.
_ROUND = st.sampled_from((Decimal("1E+3"), Decimal("1.10000"), Decimal("0E-8"), Decimal(7)))
# 0 to 10^6 in steps of 0.0001; integers are cheaper to draw than st.decimals.
_SMALL = st.integers(0, 10**6 * 10**limits.AMOUNT_PLACES).map(lambda n: Decimal(n).scaleb(-limits.AMOUNT_PLACES))
_SUB_MS = st.integers(0, 2)
_OFFSETS = st.sampled_from(FIXED_OFFSETS)


def _amount(draw: st.DrawFn, huge_left: list[int]) -> Decimal:
    kind = draw(_KINDS)
    if kind == "huge" and huge_left[0] > 0 and draw(_ONE_IN_FOUR) == 0:
        huge_left[0] -= 1
        return _HUGE
    if kind == "tiny":
        return draw(_TINY)
    if kind == "round":
        return draw(_ROUND)
    return draw(_SMALL)


@st.composite
def _streams(draw: st.DrawFn, min_size: int, max_size: int, start: datetime, span: timedelta) -> list[UsageInput]:
    span_us = span // timedelta(microseconds=1)
    any_us = st.integers(0, span_us - 1)
    any_ms = st.integers(0, max(span_us // 1000 - 1, 0))
    huge_left = [_MAX_HUGE]
    stream: list[UsageInput] = []
    for _ in range(draw(st.integers(min_size, max_size))):
        if stream and draw(_ONE_IN_FOUR) == 0:
            # A burst: the same instant again, or one that truncates to the same millisecond.
            previous = stream[draw(st.integers(0, len(stream) - 1))].timestamp.astimezone(UTC)
            floor = previous - timedelta(microseconds=previous.microsecond % 1000)
            utc = floor + timedelta(microseconds=(previous.microsecond % 1000, 0, 999)[draw(_SUB_MS)])
        elif draw(st.booleans()):
            utc = start + timedelta(microseconds=draw(any_us))
        else:
            utc = start + _ONE_MS * draw(any_ms)
        utc = max(min(utc, start + span - timedelta(microseconds=1)), start)
        try:
            timestamp = utc.astimezone(draw(_OFFSETS))
        except OverflowError:
            timestamp = utc
        stream.append(UsageInput(timestamp, _amount(draw, huge_left), _amount(draw, huge_left)))
    return stream


def billing_streams(
    *,
    min_size: int = 0,
    max_size: int = 50,
    start: datetime = DEFAULT_START,
    span: timedelta = DEFAULT_SPAN,
) -> SearchStrategy[list[UsageInput]]:
    """Lists of :class:`UsageInput` in arrival order, timestamps in [start, start + span).

    About a quarter of the entries repeat an earlier instant (exactly, or
    within the same millisecond), so ties in (timestamp) are common; arrival
    order is unrelated to timestamp order.  Offsets vary per entry.  Amounts
    are mostly small, sometimes 0.0001 or spelled with exponents, and at most
    20 per stream are 99999999999999.9999, so sums stay below 10^16.  Shrinks
    towards ``min_size`` entries at ``start`` with amount 0.
    """
    check_bounded_int("min_size", min_size, min_value=0)
    check_bounded_int("max_size", max_size, min_value=0, max_value=10_000)
    check_ordered("min_size", min_size, "max_size", max_size)
    lo, span_td = _check_window(start, span)
    return _streams(min_size, max_size, lo, span_td)


@st.composite
def _splits(
    draw: st.DrawFn, start: datetime, span: timedelta, points: tuple[datetime, ...]
) -> tuple[datetime, datetime, datetime]:
    # Windows may reach a little past the stream on both sides.
    margin = span // 8
    lo = max(start - margin, limits.TIME_MIN)
    hi = min(start + span + margin, limits.TIME_MAX)
    lo_us = (lo - start) // timedelta(microseconds=1)
    hi_us = (hi - start) // timedelta(microseconds=1)
    anywhere = st.integers(lo_us, hi_us).map(lambda us: start + timedelta(microseconds=us))
    edges = st.sampled_from((start, start + span, lo, hi))
    source = st.one_of(anywhere, edges, st.sampled_from(points)) if points else anywhere | edges
    a, b, c = sorted((draw(source), draw(source), draw(source)))
    tie = draw(st.sampled_from(("none", "none", "ab", "bc", "abc")))
    if tie in ("ab", "abc"):
        b = a
    if tie in ("bc", "abc"):
        c = b
    return a, b, c


def window_splits(
    *,
    start: datetime = DEFAULT_START,
    span: timedelta = DEFAULT_SPAN,
    points: Iterable[datetime] | None = None,
) -> SearchStrategy[tuple[datetime, datetime, datetime]]:
    """Three aware datetimes ``a <= b <= c`` splitting [a, c) into [a, b) and [b, c).

    Drawn around [start, start + span] (an eighth of the span beyond each
    end), from the window's own edges, and, when ``points`` (e.g. a stream's
    timestamps) are given, exactly on those points.  Sometimes two or all
    three are equal.  Shrinks towards three equal instants near ``start``.
    """
    lo, span_td = _check_window(start, span)
    return _splits(lo, span_td, check_points("points", points))
