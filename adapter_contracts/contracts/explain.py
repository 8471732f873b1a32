"""How a failed contract explains itself: the call, the adapter's answer beside the reference's.

Every contract passes on the reference adapter (``adapters/memory.py``; the
gallery certifies it on every run), so the expected side of a contract's
comparison is what the reference answers for the same call.  The messages
built here say so in two aligned lines, ``adapter:`` and ``reference:``, and
for JSON values add the paths where the two differ, with both values there.

Values are shown with :func:`short`: a failure block has a line budget
(contracts/failure_output.py), and a 1 MiB payload or a 255-character key
printed whole would spend it on one value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["disagreement", "expect_same", "json_differences", "short", "side_by_side"]

#: Characters of one value's repr in a message; longer ones are cut in the middle.
MAX_REPR = 200
#: JSON paths listed per comparison; the rest are counted.
MAX_PATHS = 5


def short(value: object, limit: int = MAX_REPR) -> str:
    """``repr(value)``, cut in the middle past ``limit`` characters with the count of what was left out."""
    text = repr(value)
    if len(text) <= limit:
        return text
    keep = max(limit // 2 - 10, 10)
    return f"{text[:keep]}…<{len(text) - 2 * keep} more chars>…{text[-keep:]}"


def _json_type(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _key(key: str) -> str:
    return f".{key}" if key.isidentifier() else f"[{key!r}]"


def _walk(actual: object, reference: object, path: str) -> Iterator[str]:
    # Types first: True is not 1 and 1 is not 1.0 in the JSON domain (support.same_json).
    if type(actual) is not type(reference):
        yield (f"{path}: adapter {short(actual, 80)} ({_json_type(actual)}), "
               f"reference {short(reference, 80)} ({_json_type(reference)})")
    elif isinstance(actual, dict) and isinstance(reference, dict):
        for key in reference:
            if key not in actual:
                yield f"{path}{_key(key)}: missing in the adapter's answer, reference {short(reference[key], 80)}"
            else:
                yield from _walk(actual[key], reference[key], path + _key(key))
        for key in actual:
            if key not in reference:
                yield f"{path}{_key(key)}: adapter {short(actual[key], 80)}, absent in the reference's answer"
    elif isinstance(actual, list) and isinstance(reference, list):
        for index, (a, r) in enumerate(zip(actual, reference, strict=False)):
            yield from _walk(a, r, f"{path}[{index}]")
        if len(actual) != len(reference):
            yield f"{path}: adapter has {len(actual)} items, reference {len(reference)}"
    elif actual != reference:
        yield f"{path}: adapter {short(actual, 80)}, reference {short(reference, 80)}"


def json_differences(actual: object, reference: object, *, limit: int = MAX_PATHS) -> list[str]:
    """The JSON paths (``$.a[0]``) where two JSON values differ, each with both values; at most ``limit``."""
    found: list[str] = []
    for count, line in enumerate(_walk(actual, reference, "$")):
        if count == limit:
            found.append("... and more differences")
            break
        found.append(line)
    return found


def _fields(value: object) -> dict[str, Any] | None:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    return None


def side_by_side(actual: object, reference: object) -> list[str]:
    """``adapter:`` and ``reference:`` lines, then where they differ: JSON paths, or record fields."""
    lines = [f"adapter:   {short(actual)}", f"reference: {short(reference)}"]
    if isinstance(actual, (dict, list)) and isinstance(reference, (dict, list)):
        lines += json_differences(actual, reference)
    elif (mine := _fields(actual)) is not None and (theirs := _fields(reference)) is not None:
        lines += [f"{name}: adapter {short(mine.get(name), 80)}, reference {short(value, 80)}"
                  for name, value in theirs.items() if mine.get(name) != value][:MAX_PATHS]
    return lines


def disagreement(*, call: str, actual: object, reference: object, rule: str = "") -> str:
    """The message of a contract that saw ``actual`` where the reference answers ``reference``."""
    head = [f"rule: {rule}"] if rule else []
    return "\n".join([*head, f"call: {call}", *side_by_side(actual, reference)])


def expect_same(actual: object, reference: object, *, call: str | Callable[[], str], rule: str = "",
                same: Callable[[Any, Any], bool] = lambda a, b: bool(a == b)) -> None:
    """Fail with :func:`disagreement` unless ``same(actual, reference)``.  ``call`` may be a function
    that spells the call: it is called only on failure (the adversarial contracts spell their
    hostile values, a cost worth sparing on every passing example)."""
    __tracebackhide__ = True  # the failure is the caller's line, not this helper's
    if not same(actual, reference):
        raise AssertionError(disagreement(call=call if isinstance(call, str) else call(), actual=actual,
                                          reference=reference, rule=rule))

