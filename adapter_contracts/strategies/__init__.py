"""Hypothesis strategies for the adapter contracts.

Valid strategies stay inside the contract's domain and lean on its edges;
``hostile_*``, ``bad_*``, ``naive_*`` and ``out_of_range_*`` generate values
just outside it, one violation each.  Arguments are keyword-only and checked
at call time, raising :class:`hypothesis.errors.InvalidArgument`.
"""

from __future__ import annotations

from adapter_contracts.strategies.billing import DEFAULT_START, UsageInput, billing_streams, window_splits
from adapter_contracts.strategies.entities import (
    FIXED_OFFSETS,
    amounts,
    aware_datetimes,
    bad_amounts,
    emails,
    identifiers,
    naive_datetimes,
    out_of_range_datetimes,
)
from adapter_contracts.strategies.hostile import (
    hostile_payload_examples,
    hostile_payloads,
    hostile_texts,
    oversized_payload,
    too_deep_payload,
)
from adapter_contracts.strategies.json import json_keys, json_leaves, json_payloads, json_strings, json_values

__all__ = [
    "DEFAULT_START",
    "FIXED_OFFSETS",
    "UsageInput",
    "amounts",
    "aware_datetimes",
    "bad_amounts",
    "billing_streams",
    "emails",
    "hostile_payload_examples",
    "hostile_payloads",
    "hostile_texts",
    "identifiers",
    "json_keys",
    "json_leaves",
    "json_payloads",
    "json_strings",
    "json_values",
    "naive_datetimes",
    "out_of_range_datetimes",
    "oversized_payload",
    "too_deep_payload",
    "window_splits",
]
