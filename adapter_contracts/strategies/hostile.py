"""Values just outside the contract's domain, each with exactly one violation.

A contract feeds these to a write and asserts ValidationError and that nothing
was written; because each example breaks one rule only, a failure names the
rule the adapter let through.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from adapter_contracts.adapters import limits
from adapter_contracts.strategies._validate import check_bounded_int
from adapter_contracts.strategies.json import VALID_CHARS, json_keys, json_leaves, json_payloads

__all__ = ["hostile_payload_examples", "hostile_payloads", "hostile_texts", "oversized_payload", "too_deep_payload"]

_LONE_SURROGATES = st.integers(0xD800, 0xDFFF).map(chr)
_BAD_INTS = (2**53, -(2**53), 2**53 + 1, 2**63, -(2**63) - 1, 10**400)
_BAD_FLOATS = (float("nan"), -float("nan"), float("inf"), float("-inf"))
_NON_STR_KEYS: tuple[object, ...] = (1, 0, 1.5, None, True, (1, 2), b"k")
_NON_JSON_VALUES: tuple[object, ...] = (
    (1, 2), (), {1, 2}, frozenset(), b"x", bytearray(b"x"), Decimal("1.5"), Decimal("1"),
    datetime(2024, 1, 1, tzinfo=UTC), date(2024, 1, 1), 1j, object,
)


@functools.cache
def _valid_texts(max_size: int) -> SearchStrategy[str]:
    # Built once per size: a strategy made inside a draw is validated anew every time.
    return st.text(VALID_CHARS, max_size=max_size)


@st.composite
def _text_with(draw: st.DrawFn, bad: SearchStrategy[str], max_len: int) -> str:
    """A valid text of length < max_len with one bad character spliced in."""
    text = draw(_valid_texts(max(max_len - 1, 0)))
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(bad) + text[at:]


def hostile_texts(*, max_len: int) -> SearchStrategy[str]:
    """Strings an identifier or text field must reject: one NUL, one lone surrogate,
    or valid characters one past ``max_len``.

    The NUL and surrogate examples are at most ``max_len`` long, so length is
    never a second violation.  Shrinks towards ``"\\x00"``.
    """
    check_bounded_int("max_len", max_len, min_value=1)
    return st.one_of(
        _text_with(st.just("\x00"), max_len),
        _text_with(_LONE_SURROGATES, max_len),
        st.text(VALID_CHARS, min_size=max_len + 1, max_size=max_len + 1),
    )


def oversized_payload(extra_bytes: int = 1, *, wide: bool = False) -> dict[str, str]:
    """A payload whose compact UTF-8 serialisation is ``1 MiB + extra_bytes`` bytes.

    ``wide`` fills with two-byte characters, so a size check that counts
    characters instead of bytes lets it through.  ``extra_bytes=0`` gives a
    payload exactly at the limit (valid).
    """
    check_bounded_int("extra_bytes", extra_bytes, min_value=0)
    target = limits.PAYLOAD_MAX_BYTES + extra_bytes - len('{"k":""}')
    if wide:
        return {"k": "é" * (target // 2) + "x" * (target % 2)}
    return {"k": "x" * target}


def too_deep_payload() -> dict[str, Any]:
    """A payload nested one level deeper than the limit (depth 31), otherwise valid."""
    return _too_deep()


def _too_deep() -> dict[str, Any]:
    # The top object is depth 1, so 30 nested containers below it make 31.
    value: Any = []
    for level in range(limits.PAYLOAD_MAX_DEPTH - 1):
        value = [value] if level % 2 else {"d": value}
    return {"deep": value}


# Built once: a strategy made inside a draw is validated anew every time.
_SMALL_PAYLOADS = json_payloads(max_depth=3, max_leaves=6)
_FLAT_PAYLOADS = json_payloads(max_depth=2, max_leaves=6)
_PLANT_DEPTH = st.integers(0, 2)


@st.composite
def _planted(draw: st.DrawFn, bad_value: SearchStrategy[Any]) -> dict[str, Any]:
    """A small valid payload with one bad value planted 0-2 containers down."""
    payload = draw(_SMALL_PAYLOADS)
    value = draw(bad_value)
    for _ in range(draw(_PLANT_DEPTH)):
        value = [draw(json_leaves()), value] if draw(st.booleans()) else {draw(json_keys()): value}
    payload[draw(json_keys())] = value
    return payload


@st.composite
def _planted_key(draw: st.DrawFn, bad_key: SearchStrategy[Any]) -> dict[Any, Any]:
    """A small valid payload with one bad key, at the top or one object down."""
    payload: dict[Any, Any] = draw(_FLAT_PAYLOADS)
    key, value = draw(bad_key), draw(json_leaves())
    if draw(st.booleans()):
        payload[key] = value
    else:
        payload[draw(json_keys())] = {key: value}
    return payload


def _bad_strings() -> SearchStrategy[str]:
    return st.one_of(_text_with(st.just("\x00"), 8), _text_with(_LONE_SURROGATES, 8))


def hostile_payloads() -> SearchStrategy[object]:
    """Values :func:`adapter_contracts.adapters.validation.check_payload` must reject, one violation each.

    NUL or a lone surrogate in a string or a key; the ints ±2^53 and beyond;
    NaN and ±inf; nesting depth 31; a serialisation one byte over 1 MiB; a
    non-str key; tuple, set, bytes, Decimal, date/datetime values; a list, str,
    None or number at the top.  The bad part sits in an otherwise valid
    payload.  Shrinks towards a small payload holding the first violation.
    """
    return st.one_of(
        _planted(_bad_strings()),
        _planted_key(_bad_strings()),
        _planted(st.sampled_from(_BAD_INTS)),
        _planted(st.sampled_from(_BAD_FLOATS)),
        st.builds(_too_deep),
        st.sampled_from((1, 2)).map(lambda extra: oversized_payload(extra, wide=extra == 2)),
        _planted_key(st.sampled_from(_NON_STR_KEYS)),
        _planted(st.sampled_from(_NON_JSON_VALUES)),
        st.one_of(
            st.lists(json_leaves(), max_size=3),
            _json_text_at_top(),
            st.sampled_from((None, 0, 1.5, True, b"{}", ())),
        ),
    )


def _json_text_at_top() -> SearchStrategy[str]:
    """JSON text where an object is expected: callers must pass dicts, never raw JSON."""
    return st.sampled_from(("{}", '{"a": 1}', "[]", "null", ""))


def hostile_payload_examples() -> dict[str, object]:
    """One concrete value per kind :func:`hostile_payloads` draws from, by a readable kind name.

    For tables of explicit cases where the count must be deterministic; every
    value breaks exactly one rule of :func:`adapter_contracts.adapters.validation.check_payload`.
    """
    return {
        "nul-in-value": {"a": "x\x00y"},
        "nul-in-key": {"a\x00b": 1},
        "nul-nested": {"a": [1, {"b": "\x00"}]},
        "surrogate-in-value": {"a": "x\ud800"},
        "surrogate-in-key": {"\udfff": 1},
        "int-2e53": {"n": 2**53},
        "int-minus-2e53": {"n": -(2**53)},
        "int-2e63": {"n": 2**63},
        "nan": {"f": float("nan")},
        "inf": {"f": float("inf")},
        "minus-inf": {"f": float("-inf")},
        "depth-31": _too_deep(),
        "over-1mib-by-1-byte": oversized_payload(1),
        "over-1mib-wide-chars": oversized_payload(2, wide=True),
        "non-str-key": {"ok": {1: "x"}},
        "tuple-value": {"t": (1, 2)},
        "set-value": {"s": {1, 2}},
        "bytes-value": {"b": b"x"},
        "decimal-value": {"d": Decimal("1.5")},
        "datetime-value": {"dt": datetime(2024, 1, 1, tzinfo=UTC)},
        "date-value": {"d": date(2024, 1, 1)},
        "list-at-top": ["a"],
        "json-text-at-top": '{"a": 1}',
        "none-at-top": None,
    }
