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
from functools import cache

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


# Three draws an entry decide its shape: one for how its instant is chosen and its offset,
# one per amount for its kind (with the value, for the kinds that have few).  Drawn one by
# one, these were eight draws an entry, and generation was most of a billing property's CPU
# time: Hypothesis's per-draw cost is the same for a range of three as for a range of
# hundreds.  Each draw stays small: Hypothesis draws an integer in a range of a few hundred
# about uniformly, but favours the low end of a range of thousands, which would skew the
# components folded into it.  Each draw shrinks towards 0, cell 0 of its components: a burst
# (the first entry: a microsecond), UTC, a small amount.

#: The instant: a burst repeats an earlier one (2 in 8), else any microsecond (3 in 8)
#: or any millisecond (3 in 8).  The first entry, with nothing to repeat, takes a
#: microsecond or a millisecond by the cell's parity.
_BURST, _MICRO, _MILLI = "burst", "micro", "milli"
_INSTANTS = (_BURST, _BURST, _MICRO, _MICRO, _MICRO, _MILLI, _MILLI, _MILLI)
#: A burst's instant: the earlier one exactly, or the same millisecond at .000 or .999.
_SUB_MS = 3
_WHEN = st.integers(0, len(_INSTANTS) * _SUB_MS * len(FIXED_OFFSETS) - 1)
_SMALL, _HUGE_KIND = "small", "huge"
#: An amount's kind, in 24 cells: small 15 (0 to 10^6 in steps of 0.0001, drawn apart), about
#: 0.0001 4, spelled with exponents or extra zeros 4, 99999999999999.9999 1 (small once the
#: stream has had its _MAX_HUGE).  Small first: cell 0 shrinks to the amount 0.
_AMOUNT_CELLS: tuple[str | Decimal, ...] = (
    (_SMALL,) * 15 + (Decimal("0.0001"), Decimal(0), Decimal("0.0009"), Decimal("0.0001"))
    + (Decimal("1E+3"), Decimal("1.10000"), Decimal("0E-8"), Decimal(7)) + (_HUGE_KIND,)
)
_KIND = st.integers(0, len(_AMOUNT_CELLS) - 1)
# 0 to 10^6 in steps of 0.0001; integers are cheaper to draw than st.decimals.
_SMALL_UNITS = st.integers(0, 10**6 * 10**limits.AMOUNT_PLACES)


@cache  # a strategy made inside a draw is validated anew every time
def _index_below(size: int) -> SearchStrategy[int]:
    return st.integers(0, size - 1)


def _amount(draw: st.DrawFn, huge_left: list[int]) -> Decimal:
    kind = _AMOUNT_CELLS[draw(_KIND)]
    if kind == _HUGE_KIND and huge_left[0] > 0:
        huge_left[0] -= 1
        return _HUGE
    if isinstance(kind, Decimal):
        return kind
    return Decimal(draw(_SMALL_UNITS)).scaleb(-limits.AMOUNT_PLACES)


@st.composite
def _streams(draw: st.DrawFn, min_size: int, max_size: int, start: datetime, span: timedelta) -> list[UsageInput]:
    span_us = span // timedelta(microseconds=1)
    any_us = st.integers(0, span_us - 1)
    any_ms = st.integers(0, max(span_us // 1000 - 1, 0))
    last = start + span - timedelta(microseconds=1)
    huge_left = [_MAX_HUGE]
    stream: list[UsageInput] = []
    for _ in range(draw(st.integers(min_size, max_size))):
        instant, rest = divmod(draw(_WHEN), _SUB_MS * len(FIXED_OFFSETS))
        sub, offset = divmod(rest, len(FIXED_OFFSETS))
        how = _INSTANTS[instant]
        if how == _BURST and stream:
            previous = stream[draw(_index_below(len(stream)))].timestamp.astimezone(UTC)
            floor = previous - timedelta(microseconds=previous.microsecond % 1000)
            utc = floor + timedelta(microseconds=(previous.microsecond % 1000, 0, 999)[sub])
        elif how == _MICRO or (how == _BURST and instant % 2 == 0):
            utc = start + timedelta(microseconds=draw(any_us))
        else:
            utc = start + _ONE_MS * draw(any_ms)
        utc = max(min(utc, last), start)
        try:
            timestamp = utc.astimezone(FIXED_OFFSETS[offset])
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


_TIES = st.sampled_from(("none", "none", "ab", "bc", "abc"))


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
    tie = draw(_TIES)
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
