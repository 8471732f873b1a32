"""Opaque keyset cursors and keyset pages, shared so that every adapter pages, and rejects garbage, the same way.

A cursor is ``"k1." + base64url(JSON [scope, *key])``.  The scope names the
listing it came from and, for a child listing, the parent's key (see
:func:`listing_scope`), so a campaign cursor cannot be replayed on billing, nor
one user's campaign cursor on another user's campaigns.

A cursor is any string a client sends back.  Decoding is bounded before any
work is done: the length is capped, and the JSON must be one flat array, which
is checked with one linear scan, so no input can make the decoder recurse (a
``"k1."`` + base64 of 100,000 ``"["`` is an ordinary ValidationError).

A page is assembled once, here (:func:`keyset_page`): an adapter reads its
rows in listing order one past the limit, and the extra row says whether a
next page exists.  The keys its cursors carry are the whole sort key
(:func:`created_key`, :func:`billing_key`); a cursor with only the timestamp
would skip rows that tie on it.  :func:`text_after` turns a decoded, possibly
forged key into a bound every engine can receive.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from adapter_contracts.adapters.errors import ValidationError
from adapter_contracts.adapters.records import BillingEntry, Campaign, Client, Page
from adapter_contracts.adapters.validation import epoch_ms, exact_str

__all__ = [
    "CURSOR_MAX_LENGTH", "billing_key", "created_key", "decode_cursor", "encode_cursor", "keyset_page", "listing_scope",
    "text_after",
]

_PREFIX = "k1."
CursorPart = str | int
T = TypeVar("T")

#: Longer than any cursor an adapter issues: the longest scope ("campaigns/" or
#: "billing/" and a 64-character key) and key (a 20-digit integer and a
#: 64-character id), each character escaped as a 12-byte surrogate pair, come
#: to under 1,700 bytes of JSON, under 2,300 characters of base64.
CURSOR_MAX_LENGTH = 4096

# A JSON string literal, unrolled so that matching is linear and never backtracks.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)


def listing_scope(listing: str, parent: str | None = None) -> str:
    """The scope of ``listing``'s cursors: its name, and the parent key for a child listing.

    ``"/"`` cannot occur in a listing name, so no two (listing, parent) pairs share a scope.
    """
    return listing if parent is None else f"{listing}/{parent}"


def encode_cursor(scope: str, *key: CursorPart) -> str:
    raw = json.dumps([scope, *key], separators=(",", ":")).encode("utf-8")
    return _PREFIX + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _flat_array(text: str) -> bool:
    """Whether ``text`` has one ``[`` and no ``{`` outside its string literals: at most one level deep."""
    skeleton = _JSON_STRING.sub('""', text)
    return skeleton.lstrip().startswith("[") and skeleton.count("[") == 1 and "{" not in skeleton


def decode_cursor(cursor: object, scope: str, *types: type) -> tuple[CursorPart, ...]:
    """Decode a cursor made by :func:`encode_cursor` for ``scope`` with parts of ``types``.

    Anything else, whatever its size, shape or type, is ValidationError("after").
    """
    text = exact_str(cursor, field="after")
    if not text.startswith(_PREFIX):
        raise ValidationError("after", "not a cursor returned by this listing")
    if len(text) > CURSOR_MAX_LENGTH:
        raise ValidationError("after", f"longer than any cursor ({len(text)} characters)")
    body = text[len(_PREFIX):]
    try:
        # validate=True: a character outside the alphabet is an error, not silently skipped.
        raw = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True).decode("utf-8")
        if not _flat_array(raw):
            raise ValueError("not a flat JSON array")
        decoded = json.loads(raw)
    except (binascii.Error, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ValidationError("after", "malformed cursor") from None
    if (
        not isinstance(decoded, list)
        or len(decoded) != len(types) + 1
        or decoded[0] != scope
        or not all(type(part) is t for part, t in zip(decoded[1:], types, strict=True))
    ):
        raise ValidationError("after", "cursor does not belong to this listing")
    return tuple(decoded[1:])


def keyset_page(
    rows: Sequence[T], *, limit: int | None, scope: str, key: Callable[[T], Sequence[CursorPart]]
) -> Page[T]:
    """The page of a keyset listing, from its ``rows`` in listing order read one past ``limit``.

    ``limit`` is the validated page size (None: the whole listing is one page),
    ``scope`` the listing's (:func:`listing_scope`) and ``key`` the whole sort key
    of a row.  When the rows fit, they are the page and there is no next one;
    otherwise the page is the first ``limit`` rows and its ``next_cursor``
    encodes the key of the last, so the next page starts right after it.
    """
    if limit is None or len(rows) <= limit:
        return Page(tuple(rows), None)
    kept = rows[:limit]
    return Page(tuple(kept), encode_cursor(scope, *key(kept[-1])))


def created_key(row: Campaign | Client) -> tuple[int, str]:
    """The sort key, and cursor key, of campaigns and clients: (created_at in epoch ms, id)."""
    return epoch_ms(row.created_at), row.id


def billing_key(entry: BillingEntry) -> tuple[int, int]:
    """The sort key, and cursor key, of billing entries: (timestamp in epoch ms, insertion order)."""
    return epoch_ms(entry.timestamp), int(entry.id)


def text_after(tail: str) -> tuple[str, bool]:
    """``(bound, inclusive)``: the stored keys after ``tail`` are those ``> bound``, or ``>= bound`` when inclusive.

    A cursor is decoded JSON, so its key may hold what no stored key holds (keys
    are validated: no NUL, no lone surrogate) and some engines cannot even
    receive (PostgreSQL no NUL, BSON and MySQL's utf8mb4 no lone surrogate).
    The bound is free of both and selects the same keys in code-point order.
    """
    for index, char in enumerate(tail):
        if char == "\x00":
            # For NUL-free s: s > p + "\0" + r  <=>  s > p.
            return tail[:index], False
        if "\ud800" <= char <= "\udfff":
            # For surrogate-free s: s > p + surrogate + r  <=>  s >= p + U+E000.
            return tail[:index] + "\ue000", True
    return tail, False
