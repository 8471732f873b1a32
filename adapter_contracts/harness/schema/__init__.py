"""Schema drift: introspect live storage into the canonical document and diff it with a declaration.

``introspect(endpoint)`` asks the endpoint's engine, which only ever reads
(Postgres: a READ ONLY session; MySQL: START TRANSACTION READ ONLY; SQLite:
mode=ro; MongoDB: list_collection_names / list_indexes).  ``diff(expected,
actual)`` returns readable lines (see :mod:`adapter_contracts.harness.schema.model`).
"""

from __future__ import annotations

from typing import Any

from adapter_contracts.harness.engines import ENGINES, load_engine
from adapter_contracts.harness.engines.base import Endpoint
from adapter_contracts.harness.schema.model import IGNORED_TABLES, canonical_type, diff, normalise, problems

__all__ = ["IGNORED_TABLES", "canonical_type", "declared_schema", "diff", "introspect", "normalise", "problems"]


def declared_schema(engine: str) -> dict[str, Any]:
    """The schema the built-in adapter of ``engine`` declares: its canonical layout, from package data."""
    layout = load_engine(engine).layout if engine in ENGINES else None
    if layout is None:
        known = ", ".join(name for name in ENGINES if load_engine(name).layout is not None)
        raise ValueError(f"no built-in schema declaration for engine {engine!r}; known: {known}")
    return layout.document()


def introspect(endpoint: Endpoint) -> dict[str, Any]:
    """The live schema of the endpoint's database, in canonical form, read by its engine.  Never writes."""
    if endpoint.engine not in ENGINES:
        raise ValueError(f"engine {endpoint.engine!r} has no storage schema to introspect")
    return load_engine(endpoint.engine).introspect(endpoint)
