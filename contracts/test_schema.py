"""Schema drift: the live storage has the schema the adapter declares (optional capability)."""

from __future__ import annotations

import json

import pytest

from adapters.base import Adapter
from harness.schema import diff, introspect, problems
from harness.session import StartedEngine


@pytest.mark.capability("schema_declaration")
def test_declared_schema_is_a_canonical_json_document(adapter: Adapter) -> None:
    declared = adapter.expected_schema()
    assert json.loads(json.dumps(declared)) == declared, "expected_schema() must be plain JSON"
    found = problems(declared)
    assert found == [], "expected_schema() is not a canonical schema document:\n" + "\n".join(found)


@pytest.mark.capability("schema_declaration")
def test_live_schema_matches_the_declared_schema(adapter: Adapter, engine: StartedEngine) -> None:
    drift = diff(adapter.expected_schema(), introspect(engine.endpoint))
    assert drift == [], f"schema drift on {engine.endpoint.describe()}:\n" + "\n".join(drift)
