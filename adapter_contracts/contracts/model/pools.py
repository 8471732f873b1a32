"""Small pools of keys and values, so random operations collide, cascade and tie.

Each pool holds near-duplicates the contract says are distinct (case, a
trailing space) and, where a field is normalised (email), spellings that must
collide.  Times cluster around one instant so ``created_at`` and billing
timestamps tie, some only after truncation to milliseconds.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from adapter_contracts.strategies import amounts, json_payloads

USER_IDS = ("u1", "u2", "U1", "u1 ")
CLIENT_IDS = ("k1", "k2", "K1")
CAMPAIGN_IDS = ("c1", "c2", "c1 ")
CLIENT_CAMPAIGN_IDS = ("cc1", "cc2", "k1")
CATEGORIES = ("crm", "CRM", "ads")
PROVIDERS = ("hubspot", "google")
PLATFORMS = ("meta", "Meta", "x")

#: Invalid keys: empty and one past the longest limit (user ids are 36).
BAD_KEYS = ("", "x" * 65, "a\x00b")

EMAILS = ("ann@x.io", "ANN@X.io", " ann@x.io ", "bob@x.io", "josé@x.io", "jose@x.io", "JOSÉ@x.io")
#: Seed users take these, so later creates and updates collide with them.
SEED_EMAILS = ("ann@x.io", "bob@x.io", "josé@x.io")
BAD_EMAILS = ("ann", "a b@x.io", "@x.io")
NAMES = (None, "Ann", "")
PASSWORD_HASHES = ("h1", "h2")

T0 = datetime(2024, 3, 1, 12, tzinfo=UTC)
TIMES = (
    T0,
    T0 + timedelta(microseconds=400),  # the same millisecond as T0 once truncated
    T0 + timedelta(milliseconds=1),
    (T0 + timedelta(hours=1)).astimezone(timezone(timedelta(hours=2))),
    T0 + timedelta(days=1),
    (T0 - timedelta(days=1)).astimezone(timezone(timedelta(hours=-5))),
)

SMALL_HOSTILE_PAYLOADS: tuple[Any, ...] = (
    {"a": "\x00"}, {"a": float("nan")}, {1: "a"}, ["a"], {"a": 2**53}, {"a": (1, 2)},
)

#: Payloads whose round trip differs by engine (see the engine-traps notes), in
#: three groups so each is one branch of :data:`payloads`.
PLAIN_PAYLOADS: tuple[dict[str, Any], ...] = ({}, {"step": 1, "done": False, "note": None, "tags": ["a", "b"]})
ODD_KEY_PAYLOADS: tuple[dict[str, Any], ...] = (
    {"": "", "$x": 1, "a.b": {"c": [1, 2.5, "é"]}},
    {"k": "\U0001f600 e\u0301 \u2028", "K": ["", [], {}], "k ": {"_id": "x"}},
)
NUMBER_PAYLOADS: tuple[dict[str, Any], ...] = (
    {"big": 2**53 - 1, "neg": -(2**53 - 1), "zero": -0.0, "tiny": 5e-324},
    {"huge": 1.7976931348623157e308, "tenth": 0.1, "one": 1.0, "flag": True},
)

times = st.sampled_from(TIMES)
optional_times = st.none() | times
# A generated payload costs Hypothesis a few ms to draw, more than the step that
# stores it, so three draws in four take a sample; payload fidelity itself is
# the payload contracts' subject.  Shrinks towards the plain samples.
payloads = st.one_of(
    st.sampled_from(PLAIN_PAYLOADS), st.sampled_from(ODD_KEY_PAYLOADS), st.sampled_from(NUMBER_PAYLOADS),
    json_payloads(max_depth=3, max_leaves=4),
)
# One in ten payloads is invalid, so error equivalence is checked without
# starving the valid writes.
payloads_or_hostile = st.integers(0, 9).flatmap(
    lambda n: st.sampled_from(SMALL_HOSTILE_PAYLOADS) if n == 0 else payloads
)
page_sizes = st.none() | st.integers(1, 3)
_AMOUNT_SAMPLES = (Decimal("0.0001"), Decimal("1.2345"), Decimal(0), 7, Decimal("99999999999999.9999"))
billing_amounts = st.one_of(st.sampled_from(_AMOUNT_SAMPLES), amounts(max_value=Decimal(1000)))
