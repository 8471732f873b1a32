"""The engine registry: every engine the harness knows, imported lazily, and the run's targets.

Backends for engines whose driver is not installed are still listed; they fail
at provisioning with a clear reason instead of breaking collection.

A *target* is one parametrization of the contracts: a backend, and for the
container provider the image to run.  Without images a target is named after
its backend (``postgres``); each ``--postgres-image`` becomes a target of its
own named after the image's version (``postgres-17``), so one run can carry one
verdict per server version and ``-k postgres`` still selects them all.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass

from adapter_contracts.harness.config import ConfigError, HarnessConfig
from adapter_contracts.harness.engines.base import Backend

__all__ = [
    "BACKENDS",
    "DEFAULT_ENGINES",
    "FAMILIES",
    "Target",
    "backend_class",
    "image_label",
    "load_backend",
    "resolve_engine_ids",
    "resolve_targets",
]

#: engine id -> "module:Class"
BACKENDS: dict[str, str] = {
    "memory": "adapter_contracts.harness.engines.memory:MemoryBackend",
    "postgres": "adapter_contracts.harness.engines.postgres:PostgresBackend",
    "mysql": "adapter_contracts.harness.engines.mysql:MySQLBackend",
    "mongo": "adapter_contracts.harness.engines.mongo:MongoBackend",
    "mongomock": "adapter_contracts.harness.engines.mongo:MongomockBackend",
    "sqlite": "adapter_contracts.harness.engines.sqlite:SQLiteBackend",
}

#: Engines reached through a server the user may name: backend id -> the family of
#: its --<family>-dsn and --<family>-image options.
FAMILIES: dict[str, str] = {"postgres": "postgres", "mysql": "mysql", "mongo": "mongo"}

#: What runs when the user names no engine.  "mongo" resolves to the real
#: server when one can be had, else to the labelled "mongomock" stand-in.
#: "sqlite" runs the example third-party adapter (examples/), skipped if absent.
DEFAULT_ENGINES: tuple[str, ...] = ("memory", "sqlite", "postgres", "mysql", "mongo")


@dataclass(frozen=True)
class Target:
    """One parametrization: ``id`` is in every test id (``test_x[postgres-17]``)."""

    id: str
    backend: str
    #: The container image to run, when the user picked images for this engine.
    image: str | None = None


def backend_class(engine_id: str) -> type[Backend]:
    module_name, _, class_name = BACKENDS[engine_id].partition(":")
    cls: type[Backend] = getattr(importlib.import_module(module_name), class_name)
    return cls


def load_backend(target: Target | str) -> Backend:
    if isinstance(target, str):
        target = Target(target, target)
    backend = backend_class(target.backend)()
    backend.image = target.image
    return backend


_VERSION = re.compile(r"^\d+(?:\.\d+)*")


def image_label(backend: str, image: str) -> str:
    """The target id of ``image``: ``postgres:17`` -> ``postgres-17``, ``mariadb:11.8`` (mysql) ->
    ``mysql-mariadb-11.8``; the image's own name is kept when it is not the engine's."""
    reference = image.split("@", 1)[0]
    name, _, tag = reference.rpartition("/")[2].partition(":")
    version = _VERSION.match(tag)
    label = version.group(0) if version else re.sub(r"[^A-Za-z0-9.]+", "_", tag or "latest")
    aliases = {backend, f"{backend}ql", "postgresql" if backend == "postgres" else backend}
    return f"{backend}-{label}" if name in aliases else f"{backend}-{re.sub(r'[^A-Za-z0-9.]+', '_', name)}-{label}"


def _check_providers(config: HarnessConfig) -> None:
    """Every --provider names a known engine and one of its providers, and agrees with any DSN or image."""
    known_engines = ", ".join(sorted(BACKENDS))
    every = {p for engine in BACKENDS for p in backend_class(engine).providers}
    for engine, name in config.providers.items():
        if engine == "*":
            if name not in every:
                raise ConfigError(f"--provider={name!r} is not a provider; known: {', '.join(sorted(every))}")
            continue
        if engine not in BACKENDS:
            raise ConfigError(f"--provider {engine}={name}: {engine!r} is not an engine; known: {known_engines}")
        providers = backend_class(engine).providers
        if name not in providers:
            raise ConfigError(f"--provider {engine}={name}: {name!r} is not a provider of {engine}; "
                              f"known: {', '.join(providers)}")
        family = FAMILIES.get(engine)
        if family in config.dsns and name != "dsn":
            raise ConfigError(f"--provider {engine}={name} contradicts --{family}-dsn: a DSN is the only "
                              f"provider of its engine; drop one of them")
        if family in config.images and name != "container":
            raise ConfigError(f"--provider {engine}={name} contradicts --{family}-image: images run only "
                              f"through the container provider; drop one of them")
    for family in config.images:
        if family in config.dsns:
            raise ConfigError(f"--{family}-image and --{family}-dsn both name the {family} server; drop one")


def _targets_for(engine: str, config: HarnessConfig) -> list[Target]:
    family = FAMILIES.get(engine)
    images = config.images.get(family, ()) if family else ()
    if not images:
        return [Target(engine, engine)]
    targets = [Target(image_label(engine, image), engine, image) for image in images]
    ids = [t.id for t in targets]
    twins = sorted({i for i in ids if ids.count(i) > 1})
    if twins:
        raise ConfigError(f"--{family}-image: two images give the same engine version {', '.join(twins)}; "
                          "give one image per server version")
    return targets


def resolve_targets(config: HarnessConfig, plugged_engine: str | None = None) -> list[Target]:
    """The targets to parametrize over, decided at collection time, with usage errors as ConfigError.

    Test ids must be known before anything is provisioned, so the choice
    between real MongoDB and the stand-in is made here from cheap checks.
    A plugged-in adapter (--adapter) runs on the one engine its factory names.
    """
    unknown = [e for e in config.engines if e not in BACKENDS]
    if unknown:
        raise ConfigError(f"--engine={','.join(unknown)} is not a registered engine; "
                          f"known: {', '.join(sorted(BACKENDS))}")
    _check_providers(config)
    if plugged_engine is not None:
        if config.engines and plugged_engine not in config.engines:
            raise ConfigError(
                f"--adapter names engine {plugged_engine!r} but --engine={','.join(config.engines)} excludes it"
            )
        requested = [plugged_engine]
    else:
        requested = list(config.engines) or list(DEFAULT_ENGINES)
    engines: list[str] = []
    for engine in requested:
        # Named explicitly (--engine mongo, --require-engine mongo), MongoDB means the real server.
        if engine == "mongo" and not config.engines and plugged_engine is None and "mongo" not in config.require:
            engine = "mongo" if _real_mongo_reason(config) is None else "mongomock"
        if engine not in engines:
            engines.append(engine)
    targets = [target for engine in engines for target in _targets_for(engine, config)]
    names = {t.backend for t in targets} | {t.id for t in targets}
    missing = sorted(name for name in config.require if name != "all" and name not in names)
    if missing:
        known = {"all", *BACKENDS} | {t.id for t in targets}
        bad = [m for m in missing if m not in known]
        raise ConfigError(
            f"--require-engine={','.join(bad)} is not an engine; known: {', '.join(sorted(known))}" if bad
            else f"--require-engine={','.join(missing)} is not among the engines this run selects "
                 f"({', '.join(t.id for t in targets)})"
        )
    return targets


def resolve_engine_ids(config: HarnessConfig, plugged_engine: str | None = None) -> list[str]:
    return [target.id for target in resolve_targets(config, plugged_engine)]


def _real_mongo_reason(config: HarnessConfig) -> str | None:
    if config.images.get("mongo"):
        return None
    try:
        from adapter_contracts.harness.engines.mongo import real_mongo_reason
    except ImportError as exc:
        return f"MongoDB backend not importable: {exc}"
    return real_mongo_reason(config)
