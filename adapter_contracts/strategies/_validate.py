"""Argument checks for the public strategies, in the style of Hypothesis's own.

Every check raises :class:`hypothesis.errors.InvalidArgument` at call time, with a
message that quotes the offending argument as ``name=value`` so the caller sees
which option to fix without reading a traceback into this package.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis.errors import InvalidArgument

from adapter_contracts.adapters import limits

__all__ = [
    "check_amount_bound",
    "check_aware",
    "check_bounded_int",
    "check_interval",
    "check_ordered",
    "check_points",
    "check_positive_timedelta",
]


def _quote(name: str, value: object) -> str:
    return f"{name}={value!r}"


def check_bounded_int(name: str, value: object, *, min_value: int, max_value: int | None = None) -> int:
    """``value`` is an int (not a bool) within [min_value, max_value]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(f"{_quote(name, value)} must be an int, not {type(value).__name__}")
    if value < min_value:
        raise InvalidArgument(f"{_quote(name, value)} must be at least {min_value}")
    if max_value is not None and value > max_value:
        raise InvalidArgument(f"{_quote(name, value)} must be at most {max_value}")
    return value


def check_ordered(lo_name: str, lo: int, hi_name: str, hi: int) -> None:
    """``lo <= hi`` for two already-checked size arguments."""
    if lo > hi:
        raise InvalidArgument(f"{_quote(lo_name, lo)} must not exceed {_quote(hi_name, hi)}")


def check_aware(name: str, value: object) -> datetime:
    """A timezone-aware datetime that converts to UTC without overflow, returned in UTC."""
    if not isinstance(value, datetime):
        raise InvalidArgument(f"{_quote(name, value)} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidArgument(f"{_quote(name, value)} must be timezone-aware")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise InvalidArgument(f"{_quote(name, value)} is not representable in UTC") from None


def check_interval(lo_name: str, lo: object, hi_name: str, hi: object) -> tuple[datetime, datetime]:
    """Two aware datetimes within the contract's time range, ``lo <= hi``; returned in UTC."""
    lo_utc, hi_utc = check_aware(lo_name, lo), check_aware(hi_name, hi)
    for name, value, utc in ((lo_name, lo, lo_utc), (hi_name, hi, hi_utc)):
        if not limits.TIME_MIN <= utc <= limits.TIME_MAX:
            raise InvalidArgument(
                f"{_quote(name, value)} is outside {limits.TIME_MIN.isoformat()}..{limits.TIME_MAX.isoformat()}"
            )
    if lo_utc > hi_utc:
        raise InvalidArgument(f"{_quote(lo_name, lo)} must not be after {_quote(hi_name, hi)}")
    return lo_utc, hi_utc


def check_positive_timedelta(name: str, value: object) -> timedelta:
    if not isinstance(value, timedelta):
        raise InvalidArgument(f"{_quote(name, value)} must be a timedelta, not {type(value).__name__}")
    if value <= timedelta(0):
        raise InvalidArgument(f"{_quote(name, value)} must be positive")
    return value


def check_points(name: str, value: object) -> tuple[datetime, ...]:
    """An iterable of aware datetimes (``None`` means none)."""
    if value is None:
        return ()
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidArgument(f"{_quote(name, value)} must be an iterable of aware datetimes")
    points = tuple(value)
    for point in points:
        check_aware(name, point)
    return points


def check_amount_bound(name: str, value: object) -> Decimal:
    """A bound for amounts: Decimal or int, finite, within [0, 10^14), at most 4 places."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise InvalidArgument(f"{_quote(name, value)} must be a Decimal or int, not {type(value).__name__}")
    amount = Decimal(value)
    if not amount.is_finite() or not 0 <= amount < limits.AMOUNT_LIMIT:
        raise InvalidArgument(f"{_quote(name, value)} must be finite, >= 0 and below 10^14")
    if amount != amount.quantize(limits.AMOUNT_QUANTUM):
        raise InvalidArgument(f"{_quote(name, value)} must have at most {limits.AMOUNT_PLACES} decimal places")
    return amount
