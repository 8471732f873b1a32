"""Schema drift: introspect live storage into the canonical document and diff it with a declaration.

``introspect(endpoint)`` dispatches on ``endpoint.engine`` and only ever reads
(Postgres: a READ ONLY session; MySQL: START TRANSACTION READ ONLY; SQLite:
mode=ro; MongoDB: list_collection_names / list_indexes).  ``diff(expected,
actual)`` returns readable lines (see :mod:`adapter_contracts.harness.schema.model`).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from adapter_contracts.harness.engines.base import Endpoint
from adapter_contracts.harness.schema.model import IGNORED_TABLES, canonical_type, diff, normalise, problems

__all__ = ["DECLARED", "IGNORED_TABLES", "canonical_type", "declared_schema", "diff", "introspect", "normalise",
           "problems"]

#: The declaration each built-in adapter ships, by engine: (package, resource).
DECLARED: dict[str, tuple[str, str]] = {
    "postgres": ("adapter_contracts.adapters", "sql/postgres.schema.json"),
    "mysql": ("adapter_contracts.adapters", "sql/mysql.schema.json"),
    "mongo": ("adapter_contracts.adapters", "mongo.schema.json"),
    "mongomock": ("adapter_contracts.adapters", "mongo.schema.json"),
    "sqlite": ("adapter_contracts.examples", "sqlite.schema.json"),
}


def declared_schema(engine: str) -> dict[str, Any]:
    """The schema the built-in adapter of ``engine`` declares, read from its package data."""
    if engine not in DECLARED:
        raise ValueError(f"no built-in schema declaration for engine {engine!r}; known: {', '.join(DECLARED)}")
    package, name = DECLARED[engine]
    document: dict[str, Any] = json.loads(resources.files(package).joinpath(name).read_text(encoding="utf-8"))
    return document


def introspect(endpoint: Endpoint) -> dict[str, Any]:
    """The live schema of the endpoint's database, in canonical form.  Never writes."""
    engine = endpoint.engine
    if engine == "postgres":
        from adapter_contracts.harness.engines.postgres.introspection import introspect_dsn

        return introspect_dsn(endpoint.dsn)
    if engine == "mysql":
        from adapter_contracts.harness.engines.mysql.introspection import introspect_dsn as introspect_mysql

        return introspect_mysql(endpoint.dsn, endpoint.database or None)
    if engine == "sqlite":
        from adapter_contracts.harness.engines.sqlite.introspection import introspect_path

        path = endpoint.extra.get("path") or endpoint.database or endpoint.dsn.removeprefix("sqlite:///")
        return introspect_path(str(path))
    if engine in ("mongo", "mongomock"):
        from adapter_contracts.harness.engines.mongo.introspection import introspect_database

        client = endpoint.extra.get("client")
        if client is not None:
            return introspect_database(client[endpoint.database])
        from pymongo import MongoClient

        owned: MongoClient[dict[str, Any]] = MongoClient(endpoint.dsn, serverSelectionTimeoutMS=10_000)
        try:
            return introspect_database(owned[endpoint.database])
        finally:
            owned.close()
    raise ValueError(f"engine {engine!r} has no storage schema to introspect")
