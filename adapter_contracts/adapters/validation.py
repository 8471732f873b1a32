"""Shared input validation: every adapter, including third-party ones, calls these.

Each checker returns the canonical value to store (normalised email, UTC
millisecond timestamp, 4-place Decimal, deep-copied payload) or raises
:class:`~adapter_contracts.adapters.errors.ValidationError` naming the field.  Adapters call them
before touching storage, so an invalid call writes nothing.

Canonicalise, then validate: every input is first copied into the exact
builtin type it stands for (``str``, ``int``, ``float``, ``Decimal``, ``dict``,
``list``, a ``datetime`` whose tzinfo is a fixed ``timezone``), through the
builtin type's own slots (``str.__str__``, ``int.__int__``, ``dict.items``...),
never through methods a subclass may override; the checks then run on that
copy, and the copy is what is returned and stored.  A subclass whose
``__len__``, ``encode``, ``__int__``, ``__iter__`` or ``utcoffset`` lies
therefore cannot make the value checked differ from the value stored.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.errors import ValidationError
from adapter_contracts.adapters.records import JSONObject, UsageInput

__all__ = [
    "check_amount",
    "check_bool",
    "check_email",
    "check_key",
    "check_limit",
    "check_name",
    "check_password_hash",
    "check_payload",
    "check_text",
    "check_timestamp",
    "check_usage",
    "check_usage_batch",
    "check_window",
    "dumps_payload",
    "epoch_ms",
    "exact_str",
    "from_epoch_ms",
    "now_utc",
    "truncate_ms",
]


def exact_str(value: object, *, field: str) -> str:
    """``value`` as an exact ``str`` holding its characters, whatever its subclass overrides."""
    if not isinstance(value, str):
        raise ValidationError(field, f"expected str, got {type(value).__name__}")
    # str(x) and "".join would call a subclass's __str__; the slot copies the characters.
    return str.__str__(value)


def check_text(value: object, *, field: str, max_len: int, allow_empty: bool = False) -> str:
    """A string without NUL or lone surrogates, at most ``max_len`` code points."""
    value = exact_str(value, field=field)
    if not value and not allow_empty:
        raise ValidationError(field, "must not be empty")
    if len(value) > max_len:
        raise ValidationError(field, f"longer than {max_len} characters ({len(value)})")
    _check_encodable(value, field)
    return value


def _check_encodable(value: str, field: str) -> None:
    if "\x00" in value:
        raise ValidationError(field, "contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(field, "contains a lone surrogate") from None


def check_key(value: object, *, field: str, max_len: int) -> str:
    """An identifier (id, category, provider, platform): compared exactly."""
    return check_text(value, field=field, max_len=max_len)


def check_email(value: object, *, field: str = "email") -> str:
    """Normalise an email and check its shape and length.

    The normalisation is exactly ``str.strip()`` then ``str.lower()`` of
    Python's ``str`` (full Unicode lowercase mapping; no case folding, no
    Unicode normalisation form): ``"Straße"`` stays ``"straße"``, ``"ß"`` is
    not ``"ss"``, ``"ς"`` is not ``"σ"``, ``"İ"`` becomes ``"i̇"``.
    """
    text = exact_str(value, field=field)
    _check_encodable(text, field)
    email = text.strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or not domain or "@" in domain or any(c.isspace() for c in email):
        raise ValidationError(field, "expected one '@' between non-empty parts, no spaces")
    if len(email) > limits.EMAIL_MAX:
        raise ValidationError(field, f"longer than {limits.EMAIL_MAX} characters ({len(email)})")
    return email


def check_name(value: object, *, field: str = "name") -> str | None:
    if value is None:
        return None
    return check_text(value, field=field, max_len=limits.NAME_MAX, allow_empty=True)


def check_password_hash(value: object, *, field: str = "password_hash") -> str:
    text = check_text(value, field=field, max_len=limits.PASSWORD_HASH_MAX_BYTES)
    size = len(text.encode("utf-8"))
    if size > limits.PASSWORD_HASH_MAX_BYTES:
        raise ValidationError(field, f"longer than {limits.PASSWORD_HASH_MAX_BYTES} UTF-8 bytes ({size})")
    return text


def check_bool(value: object, *, field: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(field, f"expected bool, got {type(value).__name__}")
    return value


def truncate_ms(value: datetime) -> datetime:
    return value.replace(microsecond=value.microsecond - value.microsecond % 1000)


def epoch_ms(value: datetime) -> int:
    """Milliseconds since 1970-01-01 UTC of an aware datetime (cursor keys, Mongo, SQLite)."""
    return (value - limits.TIME_MIN) // _ONE_MS


def from_epoch_ms(value: int) -> datetime:
    """The aware UTC datetime of :func:`epoch_ms`."""
    return limits.TIME_MIN + value * _ONE_MS


_ONE_MS = timedelta(milliseconds=1)


def now_utc() -> datetime:
    """The adapter-supplied creation time: now, in UTC, truncated to milliseconds."""
    return truncate_ms(datetime.now(UTC))


# The C type's own descriptors: a subclass may shadow ``year`` or ``tzinfo``, not these.
_DATE_PARTS = tuple(vars(date)[name] for name in ("year", "month", "day"))
_TIME_PARTS = tuple(vars(datetime)[name] for name in ("hour", "minute", "second", "microsecond"))
_TZINFO, _FOLD = vars(datetime)["tzinfo"], vars(datetime)["fold"]
_NO_OFFSET = timedelta(0)
_NAIVE = "naive datetime; pass a timezone-aware value"


def _fixed_offset(value: datetime, field: str) -> datetime:
    """An exact ``datetime`` at the same wall time with ``timezone(offset)``, the offset asked once.

    The offset comes from the caller's tzinfo, i.e. arbitrary code: whatever it
    raises or returns out of range is this argument's ValidationError, and it is
    asked only once, so a tzinfo answering differently each time cannot make
    the checked instant differ from the stored one.
    """
    zone = _TZINFO.__get__(value)
    if zone is None:
        raise ValidationError(field, _NAIVE)
    y, mo, d, h, mi, s, us = (part.__get__(value) for part in (*_DATE_PARTS, *_TIME_PARTS))
    local = datetime(y, mo, d, h, mi, s, us, tzinfo=zone, fold=_FOLD.__get__(value))
    try:
        offset = local.utcoffset()  # the C method checks: a timedelta strictly within ±24 h
    except Exception as exc:  # noqa: BLE001 - anything a caller's tzinfo raises is invalid input
        raise ValidationError(field, f"tzinfo.utcoffset() failed: {type(exc).__name__}") from None
    if offset is None:
        raise ValidationError(field, _NAIVE)
    # timedelta's own __add__ reads the fields, so a timedelta subclass is not kept (nor its __radd__ called).
    return local.replace(tzinfo=timezone(timedelta.__add__(_NO_OFFSET, offset)))


def check_timestamp(value: object, *, field: str) -> datetime:
    """A timezone-aware datetime in range, returned in UTC truncated to milliseconds."""
    if not isinstance(value, datetime):
        raise ValidationError(field, f"expected datetime, got {type(value).__name__}")
    fixed = _fixed_offset(value, field)
    try:
        utc = fixed.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValidationError(field, "outside 1970-01-01..9999-12-31 UTC") from None
    utc = truncate_ms(utc)
    if not limits.TIME_MIN <= utc <= limits.TIME_MAX:
        raise ValidationError(field, f"{utc.isoformat()} is outside 1970-01-01..9999-12-31 UTC")
    return utc


def check_window(start: object, end: object) -> tuple[datetime | None, datetime | None]:
    """An optional half-open window [start, end); start after end is invalid."""
    lo = None if start is None else check_timestamp(start, field="start")
    hi = None if end is None else check_timestamp(end, field="end")
    if lo is not None and hi is not None and lo > hi:
        raise ValidationError("end", "window ends before it starts")
    return lo, hi


def check_amount(value: object, *, field: str) -> Decimal:
    """A finite, non-negative amount below 10^14 with at most 4 decimal places.

    Returned quantized to exactly 4 places; values needing a 5th place are
    rejected, never rounded.
    """
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise ValidationError(field, f"expected Decimal or int, got {type(value).__name__}")
    amount = Decimal(value)  # reads the digits of an int or Decimal subclass, never its methods
    if not amount.is_finite():
        raise ValidationError(field, f"must be finite, got {amount}")
    if amount < 0:
        raise ValidationError(field, f"must not be negative, got {amount}")
    if amount >= limits.AMOUNT_LIMIT:
        raise ValidationError(field, f"must be below 10^14, got {amount}")
    try:
        quantized = amount.quantize(limits.AMOUNT_QUANTUM)
    except InvalidOperation:  # pragma: no cover - magnitude was checked above
        raise ValidationError(field, f"cannot be represented: {amount}") from None
    if quantized != amount:
        raise ValidationError(field, f"more than {limits.AMOUNT_PLACES} decimal places: {amount}")
    return quantized + 0  # folds -0 into 0


ValidUsage = tuple[datetime, Decimal, Decimal, str | None]


def check_usage_batch(entries: object) -> list[ValidUsage]:
    """Validate every entry of a batch before anything is written.

    Fields are reported as ``entries[i].name`` so the caller can find the bad entry.
    """
    if isinstance(entries, list):
        items = list.copy(entries)
    elif isinstance(entries, tuple):
        items = list(tuple.__iter__(entries))
    else:
        raise ValidationError("entries", f"expected a list of UsageInput, got {type(entries).__name__}")
    if len(items) > limits.BATCH_MAX:
        raise ValidationError("entries", f"more than {limits.BATCH_MAX} entries ({len(items)})")
    valid: list[ValidUsage] = []
    for index, entry in enumerate(items):
        where = f"entries[{index}]"
        if not isinstance(entry, UsageInput):
            raise ValidationError(where, f"expected UsageInput, got {type(entry).__name__}")
        fields = (slot.__get__(entry) for slot in _USAGE_SLOTS)
        valid.append(check_usage(*fields, where=f"{where}."))
    return valid


# Read through the slots, so that a UsageInput subclass's properties are never called.
_USAGE_SLOTS = tuple(vars(UsageInput)[name] for name in ("timestamp", "tokens_used", "cost", "admin_id"))


def check_usage(timestamp: object, tokens_used: object, cost: object, admin_id: object, *,
                where: str = "") -> ValidUsage:
    """One usage entry's fields, in signature order; ``where`` prefixes the reported field."""
    return (
        check_timestamp(timestamp, field=f"{where}timestamp"),
        check_amount(tokens_used, field=f"{where}tokens_used"),
        check_amount(cost, field=f"{where}cost"),
        None if admin_id is None else check_key(admin_id, field=f"{where}admin_id", max_len=limits.USER_ID_MAX),
    )


def check_limit(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("limit", f"expected int, got {type(value).__name__}")
    value = int.__int__(value)
    if not 1 <= value <= limits.PAGE_SIZE_MAX:
        raise ValidationError("limit", f"must be within 1..{limits.PAGE_SIZE_MAX}, got {value}")
    return value


def check_payload(value: object, *, field: str) -> JSONObject:
    """A JSON object in the portable domain, returned as a deep copy.

    The domain: dict at the top; str keys and strings without NUL or lone
    surrogates; ints within ±(2^53-1); finite floats; bool; None; lists; depth
    at most 30; compact UTF-8 serialisation at most 1 MiB.
    """
    if not isinstance(value, dict):
        raise ValidationError(field, f"expected a dict at the top, got {type(value).__name__}")
    copy = _copy_json(value, field, 1)
    size = len(dumps_payload(copy).encode("utf-8"))
    if size > limits.PAYLOAD_MAX_BYTES:
        raise ValidationError(field, f"serialises to {size} bytes, over {limits.PAYLOAD_MAX_BYTES}")
    assert isinstance(copy, dict)
    return copy


def _copy_json(value: object, field: str, depth: int) -> Any:
    if value is None or isinstance(value, bool):  # bool cannot be subclassed
        return value
    if isinstance(value, int):
        number = int.__int__(value)
        if abs(number) > limits.JSON_INT_MAX:
            raise ValidationError(field, f"integer {number} outside ±(2^53-1)")
        return number
    if isinstance(value, float):
        real = float.__float__(value)
        if not math.isfinite(real):
            raise ValidationError(field, f"non-finite float {real!r}")
        return real
    if isinstance(value, str):
        text = str.__str__(value)
        _check_encodable(text, field)
        return text
    if isinstance(value, (dict, list)):
        if depth > limits.PAYLOAD_MAX_DEPTH:
            raise ValidationError(field, f"nested deeper than {limits.PAYLOAD_MAX_DEPTH}")
        if isinstance(value, list):
            return [_copy_json(item, field, depth + 1) for item in list.copy(value)]
        out: dict[str, Any] = {}
        # dict.items reads the table itself: a subclass's items/keys/__iter__ are not called.
        for key, item in list(dict.items(value)):
            if not isinstance(key, str):
                raise ValidationError(field, f"object key {key!r} is not a str")
            text = str.__str__(key)
            _check_encodable(text, field)
            if text in out:
                # Only a str subclass with its own __eq__/__hash__ gets here: two keys that
                # are one key once stored.
                raise ValidationError(field, f"object key {text!r} appears twice")
            out[text] = _copy_json(item, field, depth + 1)
        return out
    raise ValidationError(field, f"{type(value).__name__} is not a JSON type")


def dumps_payload(value: Mapping[str, Any] | None) -> str:
    """Compact, strict JSON text (no NaN) for SQL adapters to bind."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
