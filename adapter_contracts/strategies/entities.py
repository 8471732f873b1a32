"""Field values of the ten entities: identifiers, emails, timestamps and amounts.

Valid strategies stay inside the contract's domain but lean on its edges
(keys that differ only by case, accent or a trailing space; offsets that move
a timestamp across midnight; amounts at the fourth decimal place).  The
``bad_*``/``naive_*``/``out_of_range_*`` strategies generate values just outside.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_CEILING, Decimal

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from adapter_contracts.adapters import limits
from adapter_contracts.strategies._validate import check_amount_bound, check_bounded_int, check_interval, check_ordered
from adapter_contracts.strategies.json import VALID_CHARS

__all__ = [
    "FIXED_OFFSETS",
    "amounts",
    "aware_datetimes",
    "bad_amounts",
    "emails",
    "identifiers",
    "naive_datetimes",
    "out_of_range_datetimes",
]

# -- identifiers ---------------------------------------------------------------

#: Keys that look like injections or that engines treat specially; they must
#: be stored and compared as plain text.
_TRICKY_KEYS = (
    "a", "A", "á", "a ", " a", " ", "' OR 1=1 --", "$gt", "a.b", '{"$gt": ""}', "_id", "%", "_", "\\",
    "NULL", "null", "\U0001f600", "e\u0301", "é", "Robert'); DROP TABLE users;--", "-1", "\u200b",
)

_VARIANTS: tuple[Callable[[str], str], ...] = (
    lambda s: s,
    str.upper,
    str.lower,
    str.swapcase,
    lambda s: s + " ",
    lambda s: " " + s,
    lambda s: s + "\u0301",  # combining accent: NFD spelling of an accented last letter
    lambda s: s.replace("e", "é").replace("a", "á"),
)


_VARIANT = st.sampled_from(_VARIANTS)


@functools.cache
def _identifier_bases(min_len: int, max_len: int) -> SearchStrategy[str]:
    # Built once per length range: a strategy made inside a draw is validated anew every time.
    fitting = [k for k in _TRICKY_KEYS if min_len <= len(k) <= max_len]
    plain = st.text(VALID_CHARS, min_size=min_len, max_size=min(max_len, min_len + 20))
    return plain | st.sampled_from(fitting) if fitting else plain


@st.composite
def _identifiers(draw: st.DrawFn, min_len: int, max_len: int) -> str:
    base = draw(_identifier_bases(min_len, max_len))
    variant = draw(_VARIANT)(base)
    return variant if min_len <= len(variant) <= max_len else base


def identifiers(*, max_len: int, min_len: int = 1) -> SearchStrategy[str]:
    """Keys (ids, categories, providers, platforms) that :func:`adapter_contracts.adapters.validation.check_key`
    accepts, ``min_len`` to ``max_len`` code points.

    Mixes arbitrary text with injection-looking strings (``"' OR 1=1 --"``,
    ``"$gt"``, ``"a.b"``, ``'{"$gt": ""}'``) and variants that differ only by
    case, accent or a leading/trailing space, which the contract says are
    distinct keys.  Shrinks towards ``"0" * min_len``.
    """
    check_bounded_int("min_len", min_len, min_value=1)
    check_bounded_int("max_len", max_len, min_value=1)
    check_ordered("min_len", min_len, "max_len", max_len)
    return _identifiers(min_len, max_len)


# -- emails --------------------------------------------------------------------

_LOCAL_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789._+-éüñçøå"
_DOMAIN_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-éü"
_PADDING = ("", "", " ", "  ", "\t", "\n ")
# Built once (drawn for every email): same structure as written inline, so the same draws.
_LOCALS = st.text(st.sampled_from(_LOCAL_CHARS), min_size=1, max_size=64)
_LABELS = st.lists(st.text(st.sampled_from(_DOMAIN_CHARS), min_size=1, max_size=20), min_size=1, max_size=3)
_TLDS = st.sampled_from(("", ".com", ".io", ".de"))
_ONE_IN_TWENTY = st.integers(0, 19)
_PADS = st.sampled_from(_PADDING)
_CASE_STYLES = st.sampled_from(("lower", "lower", "upper", "title", "mixed"))


def _random_case(draw: st.DrawFn, text: str) -> str:
    style = draw(_CASE_STYLES)
    if style == "upper":
        return text.upper()
    if style == "title":
        return text.title()
    if style == "mixed":
        flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
        return "".join(c.upper() if f else c for c, f in zip(text, flips, strict=True))
    return text


@st.composite
def _emails(draw: st.DrawFn) -> str:
    local = draw(_LOCALS)
    labels = draw(_LABELS)
    domain = ".".join(labels) + draw(_TLDS)
    # Exactly at the limit after normalisation, one example in twenty.  The
    # branch is taken on the largest draw, not the smallest: Hypothesis shrinks
    # integers towards 0, so a failing example then shrinks away from the
    # 255-character email instead of into it.  The limit itself is pinned by
    # contracts/test_domain.py's test_email_at_its_limit_is_stored_whole.
    if draw(_ONE_IN_TWENTY) == 19:
        local = (local * limits.EMAIL_MAX)[: limits.EMAIL_MAX - len(domain) - 1]
    email = _random_case(draw, f"{local}@{domain}")
    return draw(_PADS) + email + draw(_PADS)


def emails() -> SearchStrategy[str]:
    """Emails that :func:`adapter_contracts.adapters.validation.check_email` accepts: ``local@domain``
    without interior whitespace, at most 255 characters once trimmed and
    lowercased (some exactly 255).

    Sometimes upper/mixed case, surrounded by whitespace, or accented; every
    character's lowercase form has the same length, so case variants of one
    example normalise to the same email.  Shrinks towards ``"0@0"`` (the limit-length
    ones shrink away from the limit).
    """
    return _emails()


# -- timestamps ----------------------------------------------------------------

#: Fixed offsets, including half/quarter hours, the extremes, and offsets with
#: seconds and microseconds that shift the UTC instant by less than a millisecond.
FIXED_OFFSETS: tuple[timezone, ...] = tuple(
    timezone(offset)
    for offset in (
        timedelta(0), timedelta(hours=1), timedelta(hours=-5), timedelta(hours=5, minutes=30),
        timedelta(hours=5, minutes=45), timedelta(hours=-3, minutes=-30), timedelta(hours=14),
        timedelta(hours=-12), timedelta(hours=23, minutes=59), timedelta(hours=-23, minutes=-59),
        timedelta(hours=2, seconds=30), timedelta(microseconds=-1), timedelta(microseconds=500),
    )
)


_OFFSET = st.sampled_from(FIXED_OFFSETS)


@functools.cache
def _naive_between(lo: datetime, hi: datetime) -> SearchStrategy[datetime]:
    return st.datetimes(min_value=lo.replace(tzinfo=None), max_value=hi.replace(tzinfo=None))


@st.composite
def _aware(draw: st.DrawFn, lo: datetime, hi: datetime) -> datetime:
    naive = draw(_naive_between(lo, hi))
    utc = naive.replace(tzinfo=UTC)
    try:
        return utc.astimezone(draw(_OFFSET))
    except OverflowError:  # the local clock of this offset leaves year 1..9999
        return utc


def aware_datetimes(
    *, min_value: datetime = limits.TIME_MIN, max_value: datetime = limits.TIME_MAX
) -> SearchStrategy[datetime]:
    """Timezone-aware datetimes whose UTC instant lies in [min_value, max_value].

    Offsets come from :data:`FIXED_OFFSETS`; microseconds are arbitrary, so
    most examples carry a sub-millisecond part the adapter must truncate.
    Shrinks towards 2000-01-01 UTC (or the nearest bound).
    """
    lo, hi = check_interval("min_value", min_value, "max_value", max_value)
    return _aware(lo, hi)


def naive_datetimes() -> SearchStrategy[datetime]:
    """Datetimes without tzinfo in the contract's range: always a ValidationError."""
    return st.datetimes(
        min_value=limits.TIME_MIN.replace(tzinfo=None), max_value=limits.TIME_MAX.replace(tzinfo=None)
    )


_PAST_LIMIT = (
    datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
    datetime(1969, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC),
    datetime(1970, 1, 1, 0, 59, 59, 999_999, tzinfo=timezone(timedelta(hours=1))),
    datetime(1970, 1, 1, tzinfo=timezone(timedelta(seconds=1))),
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1))),  # not representable in UTC
    datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-1))),  # 10000-01-01 UTC
    datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(microseconds=-1))),
    datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=timezone(timedelta(milliseconds=-1))),
)


@st.composite
def _after_max(draw: st.DrawFn) -> datetime:
    minutes = draw(st.integers(1, 24 * 60 - 1))
    local = datetime(9999, 12, 31, 23, 59, 59, 999_999) - timedelta(minutes=minutes - 1, microseconds=draw(
        st.integers(0, 59_999_999)))
    return local.replace(tzinfo=timezone(-timedelta(minutes=minutes)))


def out_of_range_datetimes() -> SearchStrategy[datetime]:
    """Aware datetimes whose UTC instant is before 1970-01-01 or after
    9999-12-31 23:59:59.999 (reached through negative offsets).

    Shrinks towards 1969-12-31 23:59:59.999999 UTC.
    """
    before = st.datetimes(
        max_value=datetime(1969, 12, 31, 23, 59, 59, 999_999), timezones=st.just(UTC)
    )
    return st.sampled_from(_PAST_LIMIT) | before | _after_max()


# -- amounts -------------------------------------------------------------------

#: Valid spellings at the edges: negative zero, exponents, trailing zeros past
#: the fourth place (the value still has at most four places).
_EDGE_AMOUNTS = (
    Decimal(0), Decimal("0.0001"), Decimal("-0"), Decimal("0E-10"), Decimal("1.10000"), Decimal("1E+3"),
    Decimal("99999999999999.9999"), Decimal("12345.6789"),
)


def amounts(
    *, min_value: Decimal | int = Decimal(0), max_value: Decimal | int = Decimal("99999999999999.9999")
) -> SearchStrategy[Decimal | int]:
    """Amounts that :func:`adapter_contracts.adapters.validation.check_amount` accepts: Decimal with at
    most 4 places, or int, within [min_value, max_value].

    Includes valid edge spellings (``Decimal("-0")``, ``Decimal("1E+3")``,
    ``Decimal("1.10000")``) when they fall within the bounds.  Shrinks towards
    ``min_value``.
    """
    lo = check_amount_bound("min_value", min_value)
    hi = check_amount_bound("max_value", max_value)
    if lo > hi:
        raise InvalidArgument(f"min_value={min_value!r} must not exceed max_value={max_value!r}")
    edges = [e for e in _EDGE_AMOUNTS if lo <= e <= hi]
    options: list[SearchStrategy[Decimal | int]] = [
        st.decimals(min_value=lo, max_value=hi, places=limits.AMOUNT_PLACES)
    ]
    int_lo, int_hi = int(lo.to_integral_value(rounding=ROUND_CEILING)), int(hi)
    if int_lo <= int_hi:
        options.append(st.integers(int_lo, int_hi))
    if edges:
        options.append(st.sampled_from(edges))
    return st.one_of(options)


_BAD_AMOUNTS: tuple[object, ...] = (
    Decimal("0.00001"), Decimal("1.23456"), Decimal("-0.0001"), Decimal(-1), -1,
    Decimal("NaN"), Decimal("-NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity"),
    1.5, 0.0, float("nan"), True, False, "1", "0.5", None,
    10**14, Decimal("1E+14"), Decimal("100000000000000.0000"), Decimal("99999999999999.99995"),
)


def bad_amounts() -> SearchStrategy[object]:
    """Values :func:`adapter_contracts.adapters.validation.check_amount` rejects: a fifth decimal place,
    negative, NaN/sNaN/±Infinity, float, bool, str, None, or >= 10^14.

    Shrinks towards ``Decimal("0.00001")``.
    """
    five_places = st.decimals(
        min_value=0, max_value=Decimal("99999999999999.99999"), places=5
    ).filter(lambda d: d != d.quantize(limits.AMOUNT_QUANTUM))
    return st.one_of(
        st.sampled_from(_BAD_AMOUNTS),
        five_places,
        st.decimals(max_value=Decimal("-0.0001"), places=4, allow_nan=False, allow_infinity=False),
        st.integers(min_value=10**14),
        st.floats(),
    )
