"""The keyset helpers every adapter shares (adapters/cursor.py): page assembly and bounds for forged keys.

Cursor decoding is held to its bounds by tests/test_strategies.py and the adversarial contract;
every listing contract pages through these helpers on every engine.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapter_contracts import keyset_page
from adapter_contracts.adapters.cursor import billing_key, created_key, decode_cursor, text_after
from adapter_contracts.adapters.records import BillingEntry, Client

IDS = ["", "a", "a\x01", "a\ud7ff", "a\ue000", "a😀", "ab", "b", "\ue000", "😀"]


@pytest.mark.parametrize(
    ("tail", "ids_after"),
    [
        ("\ud800", ["\ue000", "😀"]),
        ("a\udfffz", ["a\ue000", "a😀", "b", "\ue000", "😀"]),
        ("😀", []),
        ("a\x00", ["a\x01", "a\ud7ff", "a\ue000", "a😀", "ab", "b", "\ue000", "😀"]),
        ("\x00z\ud800", IDS[1:]),
        ("ab", ["a\ud7ff", "a\ue000", "a😀", "b", "\ue000", "😀"]),
    ],
)
def test_a_forged_key_bound_selects_the_same_keys_and_every_engine_can_receive_it(
    tail: str, ids_after: list[str]
) -> None:
    bound, inclusive = text_after(tail)
    bound.encode("utf-8")  # no lone surrogate: PostgreSQL, MySQL and BSON can all receive it
    assert "\x00" not in bound
    selected = [key for key in IDS if (key >= bound if inclusive else key > bound)]
    assert selected == [key for key in IDS if key > tail] == ids_after


def _client(ms: int, id: str) -> Client:
    return Client(id, datetime.fromtimestamp(ms / 1000, UTC), {})


def test_rows_that_fit_are_the_last_page() -> None:
    rows = [_client(1, "a"), _client(1, "b")]
    for limit in (2, 3, None):
        page = keyset_page(rows, limit=limit, scope="clients", key=created_key)
        assert (page.items, page.next_cursor) == (tuple(rows), None)
    page = keyset_page([], limit=1, scope="clients", key=created_key)
    assert (page.items, page.next_cursor) == ((), None)


def test_a_row_past_the_limit_gives_the_cursor_of_the_last_row_kept() -> None:
    rows = [_client(1, "a"), _client(1, "b"), _client(2, "a")]
    page = keyset_page(rows, limit=2, scope="clients", key=created_key)
    assert page.items == tuple(rows[:2])
    assert page.next_cursor is not None
    assert decode_cursor(page.next_cursor, "clients", int, str) == (1, "b")


def test_billing_cursors_carry_the_insertion_order() -> None:
    entry = BillingEntry("41", "c", datetime.fromtimestamp(5, UTC), 1, 1, None)  # type: ignore[arg-type]
    page = keyset_page([entry, entry], limit=1, scope="billing/c", key=billing_key)
    assert page.next_cursor is not None
    assert decode_cursor(page.next_cursor, "billing/c", int, int) == (5000, 41)
