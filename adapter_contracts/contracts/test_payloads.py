"""JSON payloads on every entity that stores one: round-trip, rejection, replacement, copies."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from adapter_contracts.adapters import limits
from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import ValidationError
from adapter_contracts.adapters.records import JSONObject
from adapter_contracts.contracts.explain import expect_same
from adapter_contracts.contracts.support import (
    T0,
    Snapshot,
    assert_unchanged,
    check_each,
    check_rejections,
    make_campaign,
    make_client,
    make_user,
    same_json,
)
from adapter_contracts.strategies import hostile_payloads, json_payloads


@dataclass(frozen=True)
class Sink:
    """One way of storing a payload: prepare the parents, write, read back, list."""

    name: str
    field: str
    prepare: Callable[[Adapter], str]
    write: Callable[[Adapter, str, JSONObject], JSONObject | None]
    read: Callable[[Adapter, str], JSONObject | None]
    listed: Callable[[Adapter, str], list[JSONObject | None]]


def _user(adapter: Adapter) -> str:
    return make_user(adapter, id="owner").id


def _client(adapter: Adapter) -> str:
    return make_client(adapter, id="owner", payload={"before": True}).id


def _campaign(adapter: Adapter) -> str:
    return make_campaign(adapter, _user(adapter), id="camp", payload={"before": True}).id


def _get(value: Any, attr: str) -> Any:
    assert value is not None, "the row was not stored"
    return getattr(value, attr)


SINKS = [
    Sink("setup_data", "setup_data", _user,
         lambda a, k, p: a.save_user_setup(k, is_setup_complete=True, setup_data=p).setup_data,
         lambda a, k: _get(a.get_user_setup(k), "setup_data"),
         lambda a, k: [_get(a.get_user_setup(k), "setup_data")]),
    Sink("workspace", "workspace", _user,
         lambda a, k, p: a.save_user_workspace(k, p).workspace,
         lambda a, k: _get(a.get_user_workspace(k), "workspace"),
         lambda a, k: [_get(a.get_user_workspace(k), "workspace")]),
    Sink("integration", "data", _user,
         lambda a, k, p: a.save_integration(k, "cat", "prov", p).data,
         lambda a, k: _get(a.get_integration(k, "cat", "prov"), "data"),
         lambda a, k: [i.data for i in a.list_integrations(k)]),
    Sink("campaign-create", "payload", _user,
         lambda a, k, p: a.create_campaign(user_id=k, payload=p, id="camp", created_at=T0).payload,
         lambda a, k: _get(a.get_campaign("camp"), "payload"),
         lambda a, k: [c.payload for c in a.list_campaigns(k).items]),
    Sink("campaign-update", "payload", _campaign,
         lambda a, k, p: a.update_campaign(k, p).payload,
         lambda a, k: _get(a.get_campaign(k), "payload"),
         lambda a, k: [c.payload for c in a.list_campaigns("owner", limit=5).items]),
    Sink("client-create", "payload", lambda a: "owner",
         lambda a, k, p: a.create_client(payload=p, id=k).payload,
         lambda a, k: _get(a.get_client(k), "payload"),
         lambda a, k: [c.payload for c in a.list_clients().items]),
    Sink("client-update", "payload", _client,
         lambda a, k, p: a.update_client(k, p).payload,
         lambda a, k: _get(a.get_client(k), "payload"),
         lambda a, k: [c.payload for c in a.list_clients(limit=5).items]),
    Sink("oauth", "data", _client,
         lambda a, k, p: a.save_oauth(k, "meta", p).data,
         lambda a, k: _get(a.get_oauth(k, "meta"), "data"),
         lambda a, k: [r.data for r in a.list_oauth(k)]),
    Sink("client-campaign", "payload", _client,
         lambda a, k, p: a.save_client_campaign("cc", client_id=k, payload=p).payload,
         lambda a, k: _get(a.get_client_campaign("cc"), "payload"),
         lambda a, k: [c.payload for c in a.list_client_campaigns(k)]),
]
SINK_IDS = [s.name for s in SINKS]


def nested(depth: int, leaf: object = 1) -> JSONObject:
    """A payload of exactly ``depth`` containers (a flat dict has depth 1), alternating dict and list."""
    value: Any = leaf
    for level in range(depth - 1):
        value = {"k": value} if level % 2 else [value]
    return {"k": value}


def sized(total_bytes: int) -> JSONObject:
    """A payload whose compact UTF-8 JSON is exactly ``total_bytes`` long."""
    return {"s": "x" * (total_bytes - len('{"s":""}'))}


EDGE_PAYLOADS: list[tuple[str, JSONObject]] = [
    ("empty", {}),
    ("empty-key", {"": 1, "e": ""}),
    ("dollar-keys", {"$x": 1, "$set": {"a": 1}, "$where": "1", "a": [{"$gt": 1}]}),
    ("dotted-keys", {"a.b": 1, "a": {"b": 2, "c.d": {"e.f": 3}}, ".": 4, "..": 5}),
    ("keys-by-case-and-space", {"a": 1, "A": 2, "a ": 3, " a": 4, "á": 5}),
    ("unicode", {"é": "ü", "😀": "𝄞", "中文": "日本語", "e\u0301": "decomposed"}),
    ("control-characters", {"ctl": "\x01\x1f\x7f", "seps": "\u2028\u2029", "quotes": "\"'\\`", "nl": "a\nb\r\nc\t"}),
    ("injection-looking", {"q": "'; DROP TABLE users; --", "k'ey": "x\"y", "j": '{"a":1,"a":2}'}),
    ("integers", {"max": limits.JSON_INT_MAX, "min": -limits.JSON_INT_MAX, "zero": 0, "neg": -1}),
    ("floats", {"tenth": 0.1, "huge": 1e300, "tiny": 1e-300, "e16": 1e16, "whole": 2.0, "negzero": -0.0,
                "third": 1 / 3, "neg": -2.5e-8}),
    ("bools-and-nulls", {"t": True, "f": False, "n": None, "one": 1, "zero": 0, "l": [True, 1, False, 0, None]}),
    ("nested-lists", {"l": [[], [[]], [1, "a", None, True, {"x": []}]], "d": {}, "s": ""}),
    ("depth-30", nested(limits.PAYLOAD_MAX_DEPTH)),
    ("long-key", {"k" * 1000: "v" * 10_000}),
    ("many-keys", {f"key{i}": i for i in range(500)}),
    ("one-mebibyte", sized(limits.PAYLOAD_MAX_BYTES)),
]


@pytest.mark.parametrize("sink", SINKS, ids=SINK_IDS)
def test_edge_payloads_round_trip(fresh: Callable[[], Adapter], sink: Sink) -> None:
    """Every edge payload: the write returns it, a read and the listing give it back."""

    def check(case: tuple[str, JSONObject]) -> None:
        label, payload = case
        adapter = fresh()
        key = sink.prepare(adapter)
        returned = sink.write(adapter, key, copy.deepcopy(payload))
        expect_same(returned, payload, call=f"{label}: the {sink.name} write returned", same=same_json)
        expect_same(sink.read(adapter, key), payload, call=f"{label}: the {sink.name} read gave", same=same_json)
        assert [p for p in sink.listed(adapter, key) if same_json(p, payload)], f"{label}: not in the listing"

    check_each(EDGE_PAYLOADS, check, lambda case: case[0])


class NotJSON:
    pass


HOSTILE_PAYLOADS: list[tuple[str, object]] = [
    ("nan", {"x": float("nan")}),
    ("infinity", {"x": float("inf")}),
    ("minus-infinity", {"x": [float("-inf")]}),
    ("int-above-2-53", {"x": 2**53}),
    ("int-below-minus-2-53", {"x": {"y": -(2**53)}}),
    ("huge-int", {"x": 10**400}),
    ("int-key", {1: "a"}),
    ("none-key", {None: "a"}),
    ("nul-in-value", {"x": "a\x00b"}),
    ("nul-in-key", {"a\x00": 1}),
    ("lone-surrogate-value", {"x": "\ud800"}),
    ("lone-surrogate-key", {"\udfff": 1}),
    ("nested-nan", {"a": [1, {"b": float("nan")}]}),
    ("tuple-value", {"x": (1, 2)}),
    ("set-value", {"x": {1}}),
    ("decimal-value", {"x": Decimal("1.5")}),
    ("bytes-value", {"x": b"raw"}),
    ("datetime-value", {"x": datetime(2024, 1, 1, tzinfo=UTC)}),
    ("object-value", {"x": NotJSON()}),
    ("depth-31", nested(limits.PAYLOAD_MAX_DEPTH + 1)),
    ("over-one-mebibyte", sized(limits.PAYLOAD_MAX_BYTES + 1)),
    ("top-level-list", [{"a": 1}]),
    ("top-level-json-text", '{"a": 1}'),
    ("top-level-none", None),
    ("top-level-int", 1),
]


@pytest.mark.parametrize("sink", SINKS, ids=SINK_IDS)
def test_out_of_domain_payloads_are_rejected_and_write_nothing(
    fresh: Callable[[], Adapter], raw_snapshot: Snapshot, tally: Callable[[str, int], None], sink: Sink
) -> None:
    """Every out-of-domain payload: ValidationError naming the field, storage unchanged."""
    # setup_data alone is optional: None there means "no data", not an invalid payload.
    cases = [(label, payload) for label, payload in HOSTILE_PAYLOADS
             if not (payload is None and sink.name == "setup_data")]
    check_rejections(fresh, raw_snapshot, sink.prepare, cases,
                     lambda adapter, key, payload: sink.write(adapter, key, payload),  # type: ignore[arg-type]
                     ValidationError, sink.field, tally)


REPLACING = [s for s in SINKS if not s.name.endswith("-create")]


@pytest.mark.parametrize("sink", REPLACING, ids=[s.name for s in REPLACING])
def test_payload_is_replaced_not_merged(adapter: Adapter, sink: Sink) -> None:
    key = sink.prepare(adapter)
    sink.write(adapter, key, {"a": 1, "nested": {"x": 1, "y": [1, 2]}, "gone": True})
    returned = sink.write(adapter, key, {"nested": {"y": [3]}, "new": None})
    expected = {"nested": {"y": [3]}, "new": None}
    expect_same(returned, expected, call=f"the {sink.name} write returned", same=same_json)
    expect_same(sink.read(adapter, key), expected, call=f"the {sink.name} read gave", same=same_json)
    assert sink.listed(adapter, key) == [expected]


def _original() -> JSONObject:
    return {"list": [1, {"deep": "v"}], "dict": {"x": 1}}


def _vandalise(payload: JSONObject | None) -> None:
    assert payload is not None
    payload["list"].append("added")
    payload["list"][1]["deep"] = "changed"
    payload["dict"]["x"] = 999
    payload["extra"] = True


@pytest.mark.parametrize("sink", SINKS, ids=SINK_IDS)
def test_stored_payload_is_not_aliased_to_input_or_results(adapter: Adapter, sink: Sink) -> None:
    key = sink.prepare(adapter)
    given = _original()
    returned = sink.write(adapter, key, given)
    _vandalise(given)
    _vandalise(returned)
    expect_same(sink.read(adapter, key), _original(), call=f"the {sink.name} read gave", same=same_json)
    _vandalise(sink.read(adapter, key))
    for listed in sink.listed(adapter, key):
        _vandalise(listed)
    expect_same(sink.read(adapter, key), _original(), call=f"the {sink.name} read gave", same=same_json)
    assert sink.listed(adapter, key) == [_original()]


# -- properties --------------------------------------------------------------


@given(payload=json_payloads(), sink=st.sampled_from(SINKS))
def test_any_portable_payload_round_trips(fresh: Callable[[], Adapter], payload: JSONObject, sink: Sink) -> None:
    adapter = fresh()
    key = sink.prepare(adapter)
    expect_same(sink.write(adapter, key, copy.deepcopy(payload)), payload, call=f"the {sink.name} write returned",
                same=same_json)
    expect_same(sink.read(adapter, key), payload, call=f"the {sink.name} read gave", same=same_json)


@given(bad=hostile_payloads(), sink=st.sampled_from(SINKS))
def test_any_hostile_payload_is_rejected_and_writes_nothing(
    fresh: Callable[[], Adapter], raw_snapshot: Snapshot, bad: object, sink: Sink
) -> None:
    assume(not (bad is None and sink.name == "setup_data"))
    adapter = fresh()
    key = sink.prepare(adapter)
    assert_unchanged(raw_snapshot, lambda: sink.write(adapter, key, bad),  # type: ignore[arg-type]
                     ValidationError, sink.field)
