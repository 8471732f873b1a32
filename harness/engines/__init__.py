"""The engine registry: every engine the harness knows, imported lazily.

Backends for engines whose driver is not installed are still listed; they fail
at provisioning with a clear reason instead of breaking collection.
"""

from __future__ import annotations

import importlib

from harness.config import HarnessConfig
from harness.engines.base import Backend

__all__ = ["BACKENDS", "DEFAULT_ENGINES", "load_backend", "resolve_engine_ids"]

#: engine id -> "module:Class"
BACKENDS: dict[str, str] = {
    "memory": "harness.engines.memory:MemoryBackend",
    "postgres": "harness.engines.postgres:PostgresBackend",
    "mysql": "harness.engines.mysql:MySQLBackend",
    "mongo": "harness.engines.mongo:MongoBackend",
    "mongomock": "harness.engines.mongo:MongomockBackend",
    "sqlite": "harness.engines.sqlite:SQLiteBackend",
}

#: What runs when the user names no engine.  "mongo" resolves to the real
#: server when one can be had, else to the labelled "mongomock" stand-in.
#: "sqlite" runs the example third-party adapter (examples/), skipped if absent.
DEFAULT_ENGINES: tuple[str, ...] = ("memory", "sqlite", "postgres", "mysql", "mongo")


def load_backend(engine_id: str) -> Backend:
    module_name, _, class_name = BACKENDS[engine_id].partition(":")
    cls: type[Backend] = getattr(importlib.import_module(module_name), class_name)
    return cls()


def resolve_engine_ids(config: HarnessConfig, plugged_engine: str | None = None) -> list[str]:
    """The engine ids to parametrize over, decided at collection time.

    Test ids must be known before anything is provisioned, so the choice
    between real MongoDB and the stand-in is made here from cheap checks.
    A plugged-in adapter (--adapter) runs on the one engine its factory names.
    """
    if plugged_engine is not None:
        if config.engines and plugged_engine not in config.engines:
            raise ValueError(
                f"--adapter names engine {plugged_engine!r} but --engine={','.join(config.engines)} excludes it"
            )
        return [plugged_engine]
    requested = list(config.engines) or list(DEFAULT_ENGINES)
    unknown = [e for e in requested if e not in BACKENDS]
    if unknown:
        known = ", ".join(sorted(BACKENDS))
        raise ValueError(f"--engine={','.join(unknown)} is not a registered engine; known: {known}")
    resolved: list[str] = []
    for engine in requested:
        if engine == "mongo" and not config.engines:
            engine = "mongo" if _real_mongo_reason(config) is None else "mongomock"
        if engine not in resolved:
            resolved.append(engine)
    return resolved


def _real_mongo_reason(config: HarnessConfig) -> str | None:
    try:
        from harness.engines.mongo import real_mongo_reason
    except ImportError as exc:
        return f"MongoDB backend not importable: {exc}"
    return real_mongo_reason(config)
