"""Opaque keyset cursors, shared so that every adapter rejects garbage the same way.

A cursor is ``"k1." + base64url(JSON [scope, *key])``.  The scope names the
listing it came from, so a campaign cursor cannot be replayed on billing.
"""

from __future__ import annotations

import base64
import binascii
import json

from adapters.errors import ValidationError

__all__ = ["decode_cursor", "encode_cursor"]

_PREFIX = "k1."
CursorPart = str | int


def encode_cursor(scope: str, *key: CursorPart) -> str:
    raw = json.dumps([scope, *key], separators=(",", ":")).encode("utf-8")
    return _PREFIX + base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: object, scope: str, *types: type) -> tuple[CursorPart, ...]:
    """Decode a cursor made by :func:`encode_cursor` for ``scope`` with parts of ``types``."""
    if not isinstance(cursor, str) or not cursor.startswith(_PREFIX):
        raise ValidationError("after", "not a cursor returned by this listing")
    body = cursor[len(_PREFIX):]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        decoded = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValidationError("after", "malformed cursor") from None
    if (
        not isinstance(decoded, list)
        or len(decoded) != len(types) + 1
        or decoded[0] != scope
        or not all(type(part) is t for part, t in zip(decoded[1:], types, strict=True))
    ):
        raise ValidationError("after", f"cursor does not belong to the {scope} listing")
    return tuple(decoded[1:])
