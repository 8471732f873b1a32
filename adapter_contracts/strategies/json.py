"""JSON values and payloads inside the portable domain of :func:`adapter_contracts.adapters.validation.check_payload`.

The domain is what every engine can store and give back equal by value: str
keys (any valid string, including ``""``, ``"$x"`` and ``"a.b"``) and strings
without NUL or lone surrogates; ints within ±(2^53-1); finite floats; bool;
None; lists; nesting at most 30 deep (a flat object has depth 1).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from adapter_contracts.adapters import limits
from adapter_contracts.strategies._validate import check_bounded_int

__all__ = ["json_keys", "json_leaves", "json_payloads", "json_strings", "json_values"]

#: Every code point a stored string may hold: no NUL, no lone surrogates.
VALID_CHARS: SearchStrategy[str] = st.characters(codec="utf-8", exclude_characters="\x00")

_EDGE_STRINGS = (
    "", " ", "null", "true", "0", "é", "e\u0301", "\u2028", "\ufeff", "\\", '"', "\n", "\x01", "\x7f",
    "\U0001f600", "\U0010ffff", "\ufffd", "'; DROP TABLE users; --",
)
_EDGE_KEYS = (
    "", "$x", "$gt", "$", "a.b", ".", "a.b.c", "_id", "K", "k ", " k", "é", "e\u0301", "\U0001f600",
    "\x01", "__proto__", "constructor", "\\", '"',
)
_EDGE_INTS = (0, 1, -1, limits.JSON_INT_MAX, -limits.JSON_INT_MAX, 2**31, -(2**31) - 1, 2**32)
_EDGE_FLOATS = (
    0.0, -0.0, 0.1, 1.5, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-300,
    1.7976931348623157e308, -1.7976931348623157e308, 1e300, float(2**53), 1e16,
)


# Built once: a strategy made inside a draw is validated anew every time (strategies/billing.py
# measured it); these are drawn for every node of every payload.  Same structure, same draws.
_STRINGS: SearchStrategy[str] = st.text(VALID_CHARS, max_size=40) | st.sampled_from(_EDGE_STRINGS)
_KEYS: SearchStrategy[str] = st.text(VALID_CHARS, max_size=12) | st.sampled_from(_EDGE_KEYS)
_LEAVES: SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-limits.JSON_INT_MAX, limits.JSON_INT_MAX) | st.sampled_from(_EDGE_INTS),
    st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(_EDGE_FLOATS),
    _STRINGS,
)
_ANY_KIND = st.sampled_from(("leaf", "leaf", "list", "object"))
_LEAF_KIND = st.sampled_from(("leaf",))
_CONTAINER_SIZE = st.integers(0, 5)
_TOP_SIZE = st.integers(0, 8)
_ONE_IN_TEN = st.integers(0, 9)


def json_strings() -> SearchStrategy[str]:
    """Strings a payload may hold: any code point but NUL and lone surrogates.

    Shrinks towards ``""``.
    """
    return _STRINGS


def json_keys() -> SearchStrategy[str]:
    """Object keys: any valid string, including ``""``, ``"$x"``, ``"a.b"`` and unicode.

    Shrinks towards ``""``.
    """
    return _KEYS


def json_leaves() -> SearchStrategy[Any]:
    """Scalars: None, bool, ints within ±(2^53-1) (bounds included), finite floats
    (including -0.0, subnormals and the largest finite), and strings.

    Shrinks towards ``None``.
    """
    return _LEAVES


def _draw_value(draw: st.DrawFn, depth_left: int, budget: list[int]) -> Any:
    # One shared budget bounds the whole tree, so a payload never outgrows
    # ``max_leaves`` however the containers nest.
    budget[0] -= 1
    kind = draw(_ANY_KIND if depth_left > 0 and budget[0] > 0 else _LEAF_KIND)
    if kind == "leaf":
        return draw(_LEAVES)
    size = draw(_CONTAINER_SIZE)
    if kind == "list":
        items = []
        for _ in range(size):
            if budget[0] <= 0:
                break
            items.append(_draw_value(draw, depth_left - 1, budget))
        return items
    obj: dict[str, Any] = {}
    for _ in range(size):
        if budget[0] <= 0:
            break
        obj[draw(_KEYS)] = _draw_value(draw, depth_left - 1, budget)
    return obj


def _draw_chain(draw: st.DrawFn, depth: int) -> Any:
    """Exactly ``depth`` nested containers (0 means a leaf), to reach the depth bound."""
    value: Any = draw(_LEAVES) if depth == 0 else draw(st.sampled_from(([], {})))
    for _ in range(max(depth - 1, 0)):
        value = [value] if draw(st.booleans()) else {draw(_KEYS): value}
    return value


@st.composite
def _values(draw: st.DrawFn, max_depth: int, max_leaves: int) -> Any:
    return _draw_value(draw, max_depth, [max_leaves])


@st.composite
def _payloads(draw: st.DrawFn, max_depth: int, max_leaves: int) -> dict[str, Any]:
    budget = [max_leaves]
    payload: dict[str, Any] = {}
    for _ in range(draw(_TOP_SIZE)):
        if budget[0] <= 0:
            break
        payload[draw(_KEYS)] = _draw_value(draw, max_depth - 1, budget)
    if max_depth > 1 and draw(_ONE_IN_TEN) == 9:
        # Random nesting rarely reaches the bound; plant one chain that does.
        payload[draw(_KEYS)] = _draw_chain(draw, max_depth - 1)
    return payload


def json_values(*, max_depth: int = 4, max_leaves: int = 30) -> SearchStrategy[Any]:
    """Any JSON value in the portable domain: leaves, lists and objects.

    ``max_depth`` bounds container nesting (a leaf has depth 0, a list of
    leaves depth 1); ``max_leaves`` bounds the number of values in the tree,
    containers included.  Shrinks towards ``None``.
    """
    check_bounded_int("max_depth", max_depth, min_value=0, max_value=limits.PAYLOAD_MAX_DEPTH)
    check_bounded_int("max_leaves", max_leaves, min_value=1)
    return _values(max_depth, max_leaves)


def json_payloads(*, max_depth: int = 5, max_leaves: int = 40) -> SearchStrategy[dict[str, Any]]:
    """JSON objects that :func:`adapter_contracts.adapters.validation.check_payload` accepts and every
    engine round-trips equal by value.

    ``max_depth`` (1..30) bounds nesting with the top object at depth 1; about
    one example in ten holds a chain reaching exactly ``max_depth``.
    ``max_leaves`` bounds the number of values below the top object.  Keys
    include ``""``, ``"$x"``, ``"a.b"`` and non-ASCII text; numbers include
    ±(2^53-1), -0.0, subnormals and the largest finite float.  Shrinks towards
    ``{}``.
    """
    check_bounded_int("max_depth", max_depth, min_value=1, max_value=limits.PAYLOAD_MAX_DEPTH)
    check_bounded_int("max_leaves", max_leaves, min_value=0)
    return _payloads(max_depth, max_leaves)
