"""Adversarial inputs: values that are not what their methods say they are.

Each strategy draws :class:`Adversarial` pairs: the ``value`` to pass to an
adapter and its ``canonical`` form, the exact builtin value it stands for
(``str``, ``int``, ``Decimal``, ``float``, ``dict``, ``list``, a ``datetime``
with a fixed ``timezone``), or :data:`REFUSED` when it stands for nothing an
adapter may store (a tzinfo that raises, a crafted cursor).  An adapter must
treat ``value`` exactly as it treats ``canonical``: refuse it with the same
error, or store and give back ``canonical``.

The values are builtin subclasses whose dunder and ordinary methods lie
(``__len__``, ``encode``, ``__str__``, ``__int__``, ``__float__``,
``__eq__``/``__hash__``, ``items``/``keys``/``__iter__``, ``utcoffset``,
``quantize``...), wrapping values inside the domain and just outside it (the
hostile kinds of :mod:`adapter_contracts.strategies.hostile` and :mod:`adapter_contracts.strategies.entities`);
tzinfos whose ``utcoffset()`` raises or returns no valid offset; and cursors
crafted to be huge, deeply nested, truncated, of the wrong types, or valid for
another listing or another parent.  Options are keyword-only and checked at
call time (:class:`hypothesis.errors.InvalidArgument`).
"""

from __future__ import annotations

import base64
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from functools import cache
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.strategies import SearchStrategy

from adapter_contracts.adapters.cursor import encode_cursor, listing_scope
from adapter_contracts.adapters.records import UsageInput
from adapter_contracts.strategies._validate import check_bounded_int
from adapter_contracts.strategies.entities import (
    amounts,
    aware_datetimes,
    bad_amounts,
    emails,
    naive_datetimes,
    out_of_range_datetimes,
)
from adapter_contracts.strategies.hostile import hostile_payloads, hostile_texts
from adapter_contracts.strategies.json import VALID_CHARS, json_payloads

__all__ = [
    "LISTINGS",
    "REFUSED",
    "Adversarial",
    "adversarial_amounts",
    "adversarial_batches",
    "adversarial_datetimes",
    "adversarial_emails",
    "adversarial_limits",
    "adversarial_payloads",
    "adversarial_texts",
    "bad_tzinfo_examples",
    "bad_tzinfos",
    "crafted_cursor_examples",
    "crafted_cursors",
    "forged_cursor_examples",
    "lying_classes",
]


class Refused(enum.Enum):
    """Marks an input that stands for no storable value: the only right answer is ValidationError."""

    REFUSED = enum.auto()


REFUSED = Refused.REFUSED


@dataclass(frozen=True)
class Adversarial:
    """One input: ``value`` to pass, ``canonical`` the builtin value it stands for (or REFUSED)."""

    value: object
    canonical: object
    kind: str

    def __repr__(self) -> str:
        return f"Adversarial({self.kind}: {_describe(self.value)})"


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 120 else f"{text[:100]}... ({len(text)} characters)"


# -- lying subclasses ------------------------------------------------------------

def _constant(result: object) -> Callable[..., object]:
    return lambda *_args, **_kwargs: result


def _itself(self: object, *_args: object, **_kwargs: object) -> object:
    return self


#: Per builtin, the lies its subclasses tell: one class per lie, so a failure names it.
#: ``__repr__`` never lies, so that counterexamples print what they really hold.
_LIES: dict[type, dict[str, dict[str, Any]]] = {
    str: {
        "len": {"__len__": _constant(1)},
        "encode": {"encode": _constant(b"x")},
        "str": {"__str__": _constant("lie"), "__format__": _constant("lie")},
        "contains": {"__contains__": _constant(False)},
        "eq-hash": {"__eq__": _constant(True), "__ne__": _constant(False), "__hash__": _constant(0)},
        "strip-lower": {"strip": _itself, "lower": _itself, "casefold": _itself},
        "iter-getitem": {"__iter__": lambda self: iter("ok"), "__getitem__": _constant("ok")},
        "startswith": {"startswith": _constant(True), "partition": _constant(("a", "@", "b"))},
    },
    int: {
        "int": {"__int__": _constant(1), "__index__": _constant(1)},
        "abs": {"__abs__": _constant(0)},
        "compare": {name: _constant(True) for name in ("__lt__", "__le__", "__gt__", "__ge__", "__eq__")}
        | {"__hash__": _constant(0), "__ne__": _constant(False)},
        "float": {"__float__": _constant(0.5)},
        "str": {"__str__": _constant("1")},
    },
    float: {
        "float": {"__float__": _constant(0.5)},
        "compare": {name: _constant(True) for name in ("__lt__", "__le__", "__gt__", "__ge__", "__eq__")}
        | {"__hash__": _constant(0), "__ne__": _constant(False)},
        "is-integer": {"is_integer": _constant(True), "__abs__": _constant(0.0)},
    },
    Decimal: {
        "finite": {"is_finite": _constant(True), "is_nan": _constant(False), "is_infinite": _constant(False)},
        "quantize": {"quantize": _itself, "as_tuple": _constant((0, (1,), 0))},
        "compare": {name: _constant(False) for name in ("__lt__", "__gt__", "__ne__")}
        | {"__eq__": _constant(True), "__ge__": _constant(True), "__le__": _constant(True), "__hash__": _constant(0)},
        "str": {"__str__": _constant("1"), "__int__": _constant(1), "__float__": _constant(1.0)},
        "add": {"__add__": _itself, "__radd__": _itself},
    },
    dict: {
        "items": {"items": _constant([("k", 1)]), "keys": _constant(["k"]), "values": _constant([1])},
        "iter": {"__iter__": lambda self: iter(["k"]), "__len__": _constant(1), "__getitem__": _constant(1)},
        "copy": {"copy": _constant({"k": 1}), "get": _constant(1), "__contains__": _constant(True)},
    },
    list: {
        "iter": {"__iter__": lambda self: iter([1]), "__len__": _constant(1)},
        "getitem": {"__getitem__": _constant(1), "copy": _constant([1])},
    },
}

_CLASSES: dict[type, list[type]] = {
    base: [type(f"Lying{base.__name__.capitalize()}_{lie}", (base,), methods) for lie, methods in lies.items()]
    for base, lies in _LIES.items()
}


# Built once: a strategy made inside a draw is validated anew at every draw, which cost more
# than the draw (the payload and batch composites below draw them per node and per entry).
_CLASS_OF: dict[type, SearchStrategy[type]] = {base: st.sampled_from(classes) for base, classes in _CLASSES.items()}
#: String subclasses fit to be dict keys: they keep str's equality and hash.
_KEY_CLASS = st.sampled_from([c for c in _CLASSES[str] if "__hash__" not in vars(c)])
_FLAG = st.booleans()


def lying_classes(*, base: type) -> list[type]:
    """The subclasses of ``base`` (str, int, float, Decimal, dict or list) drawn here, one lie each."""
    if base not in _CLASSES:
        raise InvalidArgument(f"base={base!r} must be one of {', '.join(b.__name__ for b in _CLASSES)}")
    return list(_CLASSES[base])


def _lying(base: type, values: SearchStrategy[Any], kind: str) -> SearchStrategy[Adversarial]:
    """``values`` wrapped in each lying subclass of ``base``; canonical is the wrapped builtin."""
    return st.builds(
        lambda cls, value: Adversarial(cls(value), value, f"{kind}:{cls.__name__}"),
        _CLASS_OF[base], values,
    )


# -- texts -------------------------------------------------------------------------

def adversarial_texts(*, max_len: int, min_len: int = 1) -> SearchStrategy[Adversarial]:
    """Lying str subclasses over texts that fit (``min_len`` to ``max_len`` code points) and
    texts just outside (over-long, NUL, lone surrogate), plus those hostile texts as plain str.

    Shrinks towards a short valid text in the first lying class.
    """
    check_bounded_int("min_len", min_len, min_value=0)
    check_bounded_int("max_len", max_len, min_value=max(min_len, 1))
    valid = st.text(VALID_CHARS, min_size=min_len, max_size=min(max_len, min_len + 12))
    # Hypothesis cannot draw texts of tens of thousands of characters: long limits get
    # their one-past-the-limit text as a constant.
    hostile = hostile_texts(max_len=min(max_len, 256)) | st.just("x" * (max_len + 1))
    return st.one_of(
        _lying(str, valid, "text"),
        _lying(str, hostile, "hostile-text"),
        _lying(str, st.just("x" * (max_len + (1 << 20))), "huge-text"),
        hostile.map(lambda text: Adversarial(text, text, "hostile-text")),
    )


def adversarial_emails() -> SearchStrategy[Adversarial]:
    """Lying str subclasses over valid emails and over strings that are no email
    (no ``@``, inner space, NUL, over-long once trimmed and lowercased).

    Shrinks towards ``"0@0"`` in the first lying class.
    """
    junk = st.sampled_from(("no-at", "a b@x.io", "a@b@x.io", "@x.io", "a\x00@x.io", "a@x.io" + "o" * 256, ""))
    return st.one_of(_lying(str, emails(), "email"), _lying(str, junk, "bad-email"))


# -- numbers ---------------------------------------------------------------------

def adversarial_amounts() -> SearchStrategy[Adversarial]:
    """Lying int and Decimal subclasses over valid amounts and bad ones (NaN, ±inf,
    negative, 5 places, 10^14 and more); lying float subclasses (floats are never amounts).

    Shrinks towards ``0`` in the first lying int class.
    """
    valid = amounts()
    bad = bad_amounts().filter(lambda v: type(v) in (int, Decimal))
    return st.one_of(
        _lying(int, valid.map(int), "amount"),
        _lying(Decimal, valid, "amount"),
        _lying(int, bad.filter(lambda v: type(v) is int), "bad-amount"),
        _lying(Decimal, bad.filter(lambda v: type(v) is Decimal), "bad-amount"),
        _lying(float, st.sampled_from((0.5, 1.0, float("nan"))), "float-amount"),
    )


def adversarial_limits() -> SearchStrategy[Adversarial]:
    """Lying int subclasses over page sizes inside 1..1000 and outside it.

    Shrinks towards ``1``.
    """
    sizes = st.sampled_from((1, 2, 1000, 0, -1, 1001, 2**63))
    return _lying(int, sizes, "limit")


# -- time ------------------------------------------------------------------------

class _Offset(tzinfo):
    """A tzinfo whose utcoffset() is ``answer()``; everything else is plain."""

    def __init__(self, answer: Callable[[], object], name: str) -> None:
        self._answer = answer
        self._name = name

    def utcoffset(self, dt: datetime | None) -> Any:
        return self._answer()

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"<tzinfo {self._name}>"


def _raise(error: type[Exception]) -> Callable[[], object]:
    def answer() -> object:
        raise error("utcoffset refuses")

    return answer


class _LyingDelta(timedelta):
    """An offset whose arithmetic lies: adding it gives zero, negating it gives itself."""

    def __radd__(self, other: object) -> Any:
        return other

    __add__ = __radd__

    def __neg__(self) -> Any:
        return self

    def total_seconds(self) -> float:
        return 0.0


#: tzinfos no datetime may carry into storage, by name.
_BAD_TZINFOS: dict[str, Callable[[], object]] = {
    "raises-runtime-error": _raise(RuntimeError),
    "raises-zero-division": _raise(ZeroDivisionError),
    "raises-recursion-error": _raise(RecursionError),
    "25-hours": _constant(timedelta(hours=25)),
    "minus-24-hours": _constant(timedelta(hours=-24)),
    "int-seconds": _constant(3600),
    "string": _constant("+01:00"),
    "float": _constant(1.5),
    "none": _constant(None),
}


def bad_tzinfo_examples() -> dict[str, tzinfo]:
    """One tzinfo per kind :func:`bad_tzinfos` draws, by name; for tables of explicit cases."""
    return {name: _Offset(answer, name) for name, answer in _BAD_TZINFOS.items()}


def bad_tzinfos() -> SearchStrategy[tzinfo]:
    """tzinfos whose ``utcoffset()`` raises (RuntimeError, ZeroDivisionError,
    RecursionError), returns an offset of 24 hours or more, returns something
    that is not a timedelta, or returns None (a naive datetime in disguise).

    Shrinks towards the first, a tzinfo raising RuntimeError.
    """
    return st.sampled_from(sorted(_BAD_TZINFOS)).map(lambda name: _Offset(_BAD_TZINFOS[name], name))


class _LyingDatetime(datetime):
    """A datetime whose conversions lie: it says it is UTC, 1 Jan 2000, and converts to itself."""

    def utcoffset(self) -> timedelta:
        return timedelta(0)

    def astimezone(self, tz: tzinfo | None = None) -> Any:
        return self

    def replace(self, *args: Any, **kwargs: Any) -> Any:
        return self

    def __sub__(self, other: Any) -> Any:
        return timedelta(0)

    @property
    def year(self) -> int:
        return 2000

    @property
    def tzinfo(self) -> tzinfo:
        return UTC


def _lying_datetime(value: datetime) -> Adversarial:
    copy = _LyingDatetime(value.year, value.month, value.day, value.hour, value.minute, value.second,
                          value.microsecond, tzinfo=value.tzinfo, fold=value.fold)
    return Adversarial(copy, value, "lying-datetime")


def _lying_offset(value: datetime) -> Adversarial:
    offset = value.utcoffset()
    assert offset is not None
    lying = _LyingDelta(seconds=offset.total_seconds())
    zone = _Offset(_constant(lying), "lying-timedelta")
    return Adversarial(value.replace(tzinfo=zone), value.replace(tzinfo=timezone(offset)), "lying-offset")


def adversarial_datetimes() -> SearchStrategy[Adversarial]:
    """Datetimes that lie: a datetime subclass whose ``utcoffset``, ``astimezone``,
    ``replace``, ``year`` and ``tzinfo`` lie (over valid, naive and out-of-range
    values); a tzinfo answering with a lying timedelta subclass (valid); and any
    datetime carrying a :func:`bad_tzinfos` tzinfo (refused).

    Shrinks towards a valid instant in a lying datetime subclass.
    """
    plain = st.one_of(aware_datetimes(), naive_datetimes(), out_of_range_datetimes())
    return st.one_of(
        plain.map(_lying_datetime),
        aware_datetimes().map(_lying_offset),
        st.builds(lambda when, zone: Adversarial(when.replace(tzinfo=zone), REFUSED, f"bad-tzinfo:{zone!r}"),
                  naive_datetimes(), bad_tzinfos()),
    )


# -- payloads ----------------------------------------------------------------------

@st.composite
def _disguised(draw: st.DrawFn, value: Any, depth: int = 0) -> Any:
    """``value`` with some of its nodes (and keys) replaced by lying subclasses of their type.

    Keys never lie about equality or hash: two such keys would be one key in the
    dict being built, so what the value stands for would no longer be ``value``.
    """
    if isinstance(value, dict):
        items = {}
        for key, item in value.items():
            lie = draw(_FLAG)
            new_key = draw(_KEY_CLASS)(key) if lie else key
            items[new_key] = draw(_disguised(item, depth + 1))
        return draw(_CLASS_OF[dict])(items) if depth and draw(_FLAG) else items
    if isinstance(value, list):
        items_list = [draw(_disguised(item, depth + 1)) for item in value]
        return draw(_CLASS_OF[list])(items_list) if draw(_FLAG) else items_list
    base = type(value)
    if base in (str, int, float) and draw(_FLAG):
        return draw(_CLASS_OF[base])(value)
    return value


def _top_disguised(payload: dict[str, Any]) -> SearchStrategy[Adversarial]:
    def wrap(cls: type | None, inner: Any) -> Adversarial:
        return Adversarial(inner if cls is None else cls(inner), payload, "payload")

    return st.builds(wrap, st.none() | _CLASS_OF[dict], _disguised(payload))


class _IdentityKey(str):
    """A key equal only to itself: a dict holds two of them with the same characters."""

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)


def _twin_keys(text: str) -> Adversarial:
    return Adversarial({_IdentityKey(text): 1, _IdentityKey(text): 2}, REFUSED, "twin-keys")


def adversarial_payloads() -> SearchStrategy[Adversarial]:
    """Payloads whose dicts, lists, keys, strings and numbers are lying subclasses:
    over portable payloads (canonical: the plain payload), over a payload with one
    hostile value planted (NUL, surrogate, 2^53, NaN...; canonical: that plain
    value, which the domain refuses), and dicts with two keys of the same
    characters (refused); plus :func:`adapter_contracts.strategies.hostile.hostile_payloads` as is.

    Shrinks towards ``{}``.
    """
    planted = st.builds(lambda key, bad: {key: bad}, st.text(VALID_CHARS, max_size=3),
                        st.sampled_from(("a\x00", "\ud800", 2**53, 2**60, -(2**53), float("nan"), float("inf"))))
    return st.one_of(
        json_payloads(max_depth=4, max_leaves=8).flatmap(_top_disguised),
        planted.flatmap(_top_disguised),
        st.text(VALID_CHARS, max_size=3).map(_twin_keys),
        hostile_payloads().map(lambda bad: Adversarial(bad, bad, "hostile-payload")),
    )


# -- cursors -----------------------------------------------------------------------

#: The keyset listings: name -> the types of a cursor's key parts after the scope.
LISTINGS: Mapping[str, tuple[type, ...]] = {"campaigns": (int, str), "clients": (int, str), "billing": (int, int)}


def _raw_cursor(json_text: str) -> str:
    return "k1." + base64.urlsafe_b64encode(json_text.encode("utf-8", "surrogatepass")).decode("ascii").rstrip("=")


def _part(kind: type) -> str | int:
    return 1_714_564_800_000 if kind is int else "x"


def _check_listing(listing: object, parent: object) -> tuple[str, str | None]:
    if listing not in LISTINGS:
        raise InvalidArgument(f"listing={listing!r} must be one of {', '.join(LISTINGS)}")
    if (parent is None) != (listing == "clients") or not isinstance(parent, (str, type(None))):
        raise InvalidArgument(f"parent={parent!r}: campaigns and billing need their parent's key, clients has none")
    assert isinstance(listing, str)
    return listing, parent


def crafted_cursor_examples(*, listing: str, parent: str | None = None) -> dict[str, object]:
    """Every cursor :func:`crafted_cursors` draws from for ``listing`` of ``parent``, by a readable name.

    For tables of explicit cases; each must be refused with ValidationError("after").
    """
    listing, parent = _check_listing(listing, parent)
    types = LISTINGS[listing]
    scope = listing_scope(listing, parent)
    key = [_part(t) for t in types]
    good = encode_cursor(scope, *key)
    cases: dict[str, object] = {
        f"{name}-cursor": encode_cursor(listing_scope(name, None if name == "clients" else "other"),
                                        *(_part(t) for t in LISTINGS[name]))
        for name in LISTINGS if name != listing
    }
    if parent is not None:
        cases["other-parent"] = encode_cursor(listing_scope(listing, parent + "x"), *key)
        cases["scope-without-parent"] = encode_cursor(listing, *key)
    cases |= {
        "missing-part": encode_cursor(scope, *key[:-1]),
        "extra-part": encode_cursor(scope, *key, "extra"),
        "float-time": _raw_cursor(f'["{scope}",1.5,"x"]'),
        "string-time": _raw_cursor(f'["{scope}","1","x"]'),
        "bool-time": _raw_cursor(f'["{scope}",true,1]'),
        "nulls": _raw_cursor(f'["{scope}",null,null]'),
        "nested-parts": _raw_cursor(f'["{scope}",[1],["x"]]'),
        "object": _raw_cursor(f'{{"{scope}":1}}'),
        "nan-time": _raw_cursor(f'["{scope}",NaN,1]'),
        "truncated-by-1": good[:-1],
        "truncated-by-4": good[:-4],
        "truncated-half": good[: len(good) // 2],
        "bare-prefix": "k1.",
        "empty": "",
        "prefix-without-dot": "k1",
        "no-prefix": good[3:],
        "upper-prefix": "K1." + good[3:],
        "not-base64": "k1.!!!!",
        "short-base64": "k1.AAAAA",
        "not-json": _raw_cursor("not json"),
        "nested-3000": _raw_cursor("[" * 3000),
        "nested-3000-closed": _raw_cursor("[" * 3000 + "]" * 3000),
        "nested-100000": _raw_cursor("[" * 100_000),
        "million-characters": "k1." + "A" * 1_000_000,
        "non-ascii": "k1.é",
        "lone-surrogate": "k1.\ud800",
        "trailing-nul": good + "\x00",
        "bytes": good.encode(),
        "int": 1,
        "list": [good],
        "dict": {"k1": good},
        "bool": True,
    }
    if types[-1] is str:  # the right form, but longer than any cursor: refused before decoding
        cases["over-long-id"] = encode_cursor(scope, key[0], "x" * 5000)
    return cases


def forged_cursor_examples(*, listing: str, parent: str | None = None) -> dict[str, str]:
    """Well-formed cursors of ``listing`` (of ``parent``) whose key no adapter ever issues, by a readable name.

    Cursors are opaque but forgeable, so each stands for itself: the adapter must give
    the reference's outcome, the rows after that key in listing order.  The keys hold
    what no stored key holds and some engines cannot even receive: a NUL, a lone
    surrogate, the last code point, an empty id, times and insertion numbers far
    outside any column's range (beyond 64 bits, before 1970).
    """
    listing, parent = _check_listing(listing, parent)
    scope = listing_scope(listing, parent)
    ms = _part(int)
    huge = 2**70
    keys: dict[str, tuple[str | int, ...]] = {
        "time-beyond-64-bits": (huge, _part(LISTINGS[listing][1])),
        "time-before-64-bits": (-huge, _part(LISTINGS[listing][1])),
        "time-before-1970": (-1, _part(LISTINGS[listing][1])),
    }
    if LISTINGS[listing][1] is str:
        keys |= {"id-with-nul": (ms, "x\x00y"), "id-with-lone-surrogate": (ms, "x\ud800"),
                 "id-last-code-point": (ms, "\U0010ffff"), "id-empty": (ms, "")}
    else:
        keys |= {"sequence-beyond-64-bits": (ms, huge), "sequence-negative": (ms, -huge)}
    return {name: encode_cursor(scope, *key) for name, key in keys.items()}


def crafted_cursors(*, listing: str, parent: str | None = None) -> SearchStrategy[Adversarial]:
    """Cursors the listing ``listing`` (of ``parent``, for campaigns and billing) must refuse:
    another listing's or another parent's cursor, the right scope with parts of the
    wrong type or number, truncated, not base64, not JSON, JSON nested 3,000 or
    100,000 deep, a million characters long, non-ASCII, non-str values
    (:func:`crafted_cursor_examples`), and lying str subclasses of the string ones;
    all REFUSED.  Also a lying str subclass of a well-formed cursor for this
    listing, which stands for that cursor, and forged well-formed cursors
    (:func:`forged_cursor_examples`), which stand for themselves.

    Shrinks towards another listing's cursor.
    """
    examples = crafted_cursor_examples(listing=listing, parent=parent)
    forged = forged_cursor_examples(listing=listing, parent=parent)
    texts = [value for value in examples.values() if type(value) is str]
    good = encode_cursor(listing_scope(listing, parent), *(_part(t) for t in LISTINGS[listing]))
    return st.one_of(
        st.sampled_from(sorted(examples)).map(lambda name: Adversarial(examples[name], REFUSED, f"cursor:{name}")),
        _lying(str, st.sampled_from(texts), "crafted-cursor").map(lambda a: Adversarial(a.value, REFUSED, a.kind)),
        _lying(str, st.just(good), "lying-good-cursor"),
        st.sampled_from(sorted(forged)).map(lambda name: Adversarial(forged[name], forged[name], f"forged:{name}")),
    )


# -- batches -----------------------------------------------------------------------

class _LyingUsage(UsageInput):
    """A UsageInput whose properties say valid values while its slots hold others."""

    @property
    def timestamp(self) -> datetime:
        return datetime(2024, 1, 1, tzinfo=UTC)

    @property
    def tokens_used(self) -> Decimal:
        return Decimal(1)


_SLOTS = tuple(vars(UsageInput)[name] for name in ("timestamp", "tokens_used", "cost", "admin_id"))


def _lying_usage(entry: UsageInput) -> UsageInput:
    copy = object.__new__(_LyingUsage)
    for slot, value in zip(_SLOTS, (entry.timestamp, entry.tokens_used, entry.cost, entry.admin_id), strict=True):
        slot.__set__(copy, value)
    return copy


def _naive(value: object) -> datetime:
    assert isinstance(value, datetime)
    return datetime(value.year, value.month, value.day, value.hour, value.minute, value.second, value.microsecond)


#: Entries in a drawn batch, at most.
_BATCH_MAX = 3


@cache  # built once, see _CLASS_OF; and only when a batch is drawn
def _batch_parts() -> tuple[SearchStrategy[list[Adversarial]], dict[int, SearchStrategy[list[Adversarial]]],
                            SearchStrategy[type]]:
    stamps = st.lists(adversarial_datetimes(), min_size=1, max_size=_BATCH_MAX)
    costs = {size: st.lists(adversarial_amounts(), min_size=size, max_size=size) for size in range(1, _BATCH_MAX + 1)}
    return stamps, costs, st.sampled_from([list, tuple, *_CLASSES[list]])


@st.composite
def _batch(draw: st.DrawFn, admin_id: str | None) -> Adversarial:
    any_stamps, costs_of, containers = _batch_parts()
    stamps = draw(any_stamps)
    costs = draw(costs_of[len(stamps)])
    plain = [UsageInput(s.value, 1, c.value, admin_id) for s, c in zip(stamps, costs, strict=True)]  # type: ignore[arg-type]
    lying_entries = [_lying_usage(e) if draw(_FLAG) else e for e in plain]
    # A timestamp standing for no instant is refused as a naive one is, naming the same entry's field.
    canonical = [
        UsageInput(_naive(s.value) if s.canonical is REFUSED else s.canonical, 1, c.canonical, admin_id)  # type: ignore[arg-type]
        for s, c in zip(stamps, costs, strict=True)
    ]
    container = draw(containers)
    return Adversarial(container(lying_entries), canonical, f"batch:{container.__name__}")


def adversarial_batches(*, admin_id: str | None = None) -> SearchStrategy[Adversarial]:
    """Batches for ``record_usage_batch``: lists, tuples and lying list subclasses of 1-3
    entries, some of them UsageInput subclasses whose properties lie about their
    slots, each entry's timestamp and cost drawn from :func:`adversarial_datetimes`
    and :func:`adversarial_amounts`; ``admin_id`` is every entry's admin.

    Shrinks towards one entry in a plain list.
    """
    if admin_id is not None and not isinstance(admin_id, str):
        raise InvalidArgument(f"admin_id={admin_id!r} must be a str or None")
    return _batch(admin_id)
