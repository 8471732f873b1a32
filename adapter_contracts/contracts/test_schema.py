"""The storage the adapter laid out: the canonical layout (every adapter), and its own declaration (optional)."""

from __future__ import annotations

import json

import pytest

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.harness.schema import diff, introspect, problems
from adapter_contracts.harness.schema.layout import layout_differences, undeclared_collations
from adapter_contracts.harness.session import StartedEngine


@pytest.mark.layout
def test_storage_has_the_canonical_layout(engine: StartedEngine) -> None:
    """Adapters are interchangeable over the same data: create_schema() lays out the canonical
    layout of its engine (docs/canonical-layout.md), on storage whose defaults are hostile."""
    layout = engine.engine.layout
    assert layout is not None
    differences = layout_differences(layout, introspect(engine.endpoint))
    assert not differences, (
        f"{len(differences)} difference(s) from the canonical {layout} layout, after the adapter's "
        f"create_schema() on {engine.endpoint.describe()}\n"
        f"adapter:   laid out storage that differs from the layout in the {len(differences)} place(s) below\n"
        f"reference: the canonical {layout} layout (docs/canonical-layout.md; "
        f"python -m adapter_contracts.harness.schema --dump --engine {layout})\n  " + "\n  ".join(differences)
    )


@pytest.mark.capability("schema_declaration")
def test_declared_schema_is_a_canonical_json_document(adapter: Adapter, engine: StartedEngine) -> None:
    declared = adapter.expected_schema()
    assert json.loads(json.dumps(declared)) == declared, "expected_schema() must be plain JSON"
    found = problems(declared)
    if not found and engine.engine.layout is not None:
        found = undeclared_collations(engine.engine.layout, declared)
    assert found == [], "expected_schema() is not a canonical schema document:\n" + "\n".join(found)


@pytest.mark.capability("schema_declaration")
def test_live_schema_matches_the_declared_schema(adapter: Adapter, engine: StartedEngine) -> None:
    drift = diff(adapter.expected_schema(), introspect(engine.endpoint))
    assert drift == [], f"schema drift on {engine.endpoint.describe()}:\n" + "\n".join(drift)
