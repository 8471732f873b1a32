"""MongoDB (and mongomock) introspection: list_collection_names and list_indexes, nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["introspect_database"]

#: Index options that change what an index enforces or holds; the rest (v, name, ns, background) do not.
_OPTIONS = {"unique": "unique", "sparse": "sparse", "partialFilterExpression": "partial",
            "expireAfterSeconds": "ttl_seconds", "collation": "collation"}


def _plain(value: Any) -> Any:
    """BSON-returned SON/Int64/float values as plain JSON-able ones."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _index(info: Mapping[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"keys": [[str(k), _plain(d)] for k, d in dict(info["key"]).items()]}
    for option, name in _OPTIONS.items():
        if info.get(option) not in (None, False):
            entry[name] = _plain(info[option])
    entry["unique"] = bool(info.get("unique", False))
    return entry


def introspect_database(db: Any, engine: str = "mongo") -> dict[str, Any]:
    """The canonical document of one database (a pymongo or mongomock Database); the _id index is implied."""
    collections: dict[str, dict[str, Any]] = {}
    for name in sorted(db.list_collection_names()):
        if name.startswith("system."):
            continue
        indexes = [_index(info) for info in db[name].list_indexes() if info.get("name") != "_id_"]
        collections[name] = {"indexes": indexes}
    return {"format": 1, "engine": engine, "collections": collections}
