"""Opaque keyset cursors, shared so that every adapter rejects garbage the same way.

A cursor is ``"k1." + base64url(JSON [scope, *key])``.  The scope names the
listing it came from and, for a child listing, the parent's key (see
:func:`listing_scope`), so a campaign cursor cannot be replayed on billing, nor
one user's campaign cursor on another user's campaigns.

A cursor is any string a client sends back.  Decoding is bounded before any
work is done: the length is capped, and the JSON must be one flat array, which
is checked with one linear scan, so no input can make the decoder recurse (a
``"k1."`` + base64 of 100,000 ``"["`` is an ordinary ValidationError).
"""

from __future__ import annotations

import base64
import binascii
import json
import re

from adapter_contracts.adapters.errors import ValidationError
from adapter_contracts.adapters.validation import exact_str

__all__ = ["CURSOR_MAX_LENGTH", "decode_cursor", "encode_cursor", "listing_scope"]

_PREFIX = "k1."
CursorPart = str | int

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
