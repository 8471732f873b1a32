"""The engine registry: every engine the harness knows, one line each, and the run's targets.

An engine is a package of its own (``harness/engines/<engine>/``) whose engine
class holds everything the harness does with that engine (see
:mod:`adapter_contracts.harness.engines.base`).  Adding one is a folder and a
line in :data:`ENGINES`; nothing outside the engine packages, this registry and
the option table (which makes ``--<engine>-dsn`` and ``--<engine>-image`` of
every engine reached through a server) looks an engine up by its name.

The engine classes are imported by name, when first asked for; importing one
imports no driver (psycopg, PyMySQL, pymongo, testcontainers), so an engine
whose driver is missing is still listed, and fails at provisioning saying so.

A *target* is one parametrization of the contracts: an engine, and for the
container provider the image to run.  Without images a target is named after
its engine (``postgres``); each ``--postgres-image`` becomes a target of its
own named after the image's version (``postgres-17``), so one run can carry one
verdict per server version and ``-k postgres`` still selects them all.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from adapter_contracts.harness.usage import ConfigError

if TYPE_CHECKING:
    from adapter_contracts.harness.config import HarnessConfig
    from adapter_contracts.harness.engines.base import Engine

__all__ = [
    "ENGINES",
    "Target",
    "default_engines",
    "engine_class",
    "image_label",
    "load_engine",
    "resolve_engine_ids",
    "resolve_targets",
    "server_engines",
    "twin_engines",
]

#: engine id -> "module:EngineClass", in the order runs list them.
ENGINES: dict[str, str] = {
    "memory": "adapter_contracts.harness.engines.memory:MemoryEngine",
    "sqlite": "adapter_contracts.harness.engines.sqlite:SQLiteEngine",
    "postgres": "adapter_contracts.harness.engines.postgres:PostgresEngine",
    "mysql": "adapter_contracts.harness.engines.mysql:MySQLEngine",
    "mongo": "adapter_contracts.harness.engines.mongo:MongoEngine",
    "mongomock": "adapter_contracts.harness.engines.mongo.standin:MongomockEngine",
    "memory-async": "adapter_contracts.harness.engines.memory_async:AsyncMemoryEngine",
    "postgres-async": "adapter_contracts.harness.engines.postgres_async:AsyncPostgresEngine",
    "mysql-async": "adapter_contracts.harness.engines.mysql_async:AsyncMySQLEngine",
    "mongo-async": "adapter_contracts.harness.engines.mongo_async:AsyncMongoEngine",
    "mongomock-async": "adapter_contracts.harness.engines.mongo_async.standin:AsyncMongomockEngine",
}


@dataclass(frozen=True)
class Target:
    """One parametrization: ``id`` is in every test id (``test_x[postgres-17]``)."""

    id: str
    engine: str
    #: The container image to run, when the user picked images for this engine.
    image: str | None = None


def engine_class(name: str) -> type[Engine]:
    """The engine class registered as ``name`` (KeyError for a name that is not registered)."""
    module_name, _, class_name = ENGINES[name].partition(":")
    cls: type[Engine] = getattr(importlib.import_module(module_name), class_name)
    return cls


def load_engine(target: Target | str) -> Engine:
    """A new engine object for ``target`` (an engine id, or a target with its image)."""
    if isinstance(target, str):
        target = Target(target, target)
    engine = engine_class(target.engine)()
    engine.image = target.image
    return engine


def server_engines() -> list[type[Engine]]:
    """The engines reached through a server that take --<engine>-dsn and --<engine>-image, in order
    (a twin shares its twin's: ``--postgres-dsn`` is also postgres-async's server)."""
    return [cls for cls in map(engine_class, ENGINES) if cls.server is not None and cls.twin is None]


def twin_engines() -> dict[str, str]:
    """Engine id -> the engine whose server options it shares (``postgres-async`` -> ``postgres``)."""
    return {name: cls.twin for name in ENGINES if (cls := engine_class(name)).twin is not None}


def default_engines() -> list[str]:
    return [name for name in ENGINES if engine_class(name).by_default]


_VERSION = re.compile(r"^\d+(?:\.\d+)*")


def image_label(engine: str, image: str) -> str:
    """The target id of ``image``: ``postgres:17`` -> ``postgres-17``, ``mariadb:11.8`` (mysql) ->
    ``mysql-mariadb-11.8``; the image's own name is kept when it is not the engine's."""
    reference = image.split("@", 1)[0]
    name, _, tag = reference.rpartition("/")[2].partition(":")
    version = _VERSION.match(tag)
    label = version.group(0) if version else re.sub(r"[^A-Za-z0-9.]+", "_", tag or "latest")
    server = engine_class(engine).server
    own = server.image_names if server is not None else (engine,)
    return f"{engine}-{label}" if name in own else f"{engine}-{re.sub(r'[^A-Za-z0-9.]+', '_', name)}-{label}"


def _check_providers(config: HarnessConfig) -> None:
    """Every --provider names a known engine and one of its providers, and agrees with any DSN or image."""
    known_engines = ", ".join(sorted(ENGINES))
    every = {p for engine in ENGINES for p in engine_class(engine).providers}
    for engine, name in config.providers.items():
        if engine == "*":
            if name not in every:
                raise ConfigError(f"--provider={name!r} is not a provider; known: {', '.join(sorted(every))}")
            continue
        if engine not in ENGINES:
            raise ConfigError(f"--provider {engine}={name}: {engine!r} is not an engine; known: {known_engines}")
        providers = engine_class(engine).providers
        if name not in providers:
            raise ConfigError(f"--provider {engine}={name}: {name!r} is not a provider of {engine}; "
                              f"known: {', '.join(providers)}")
        if engine in config.dsns and name != "dsn":
            raise ConfigError(f"--provider {engine}={name} contradicts --{engine}-dsn: a DSN is the only "
                              f"provider of its engine; drop one of them")
        if engine in config.images and name != "container":
            raise ConfigError(f"--provider {engine}={name} contradicts --{engine}-image: images run only "
                              f"through the container provider; drop one of them")
    for engine in config.images:
        if engine in config.dsns:
            raise ConfigError(f"--{engine}-image and --{engine}-dsn both name the {engine} server; drop one")


def _targets_for(engine: str, config: HarnessConfig) -> list[Target]:
    images = config.images.get(engine, ())
    if not images:
        return [Target(engine, engine)]
    targets = [Target(image_label(engine, image), engine, image) for image in images]
    ids = [t.id for t in targets]
    twins = sorted({i for i in ids if ids.count(i) > 1})
    if twins:
        raise ConfigError(f"--{engine}-image: two images give the same engine version {', '.join(twins)}; "
                          "give one image per server version")
    return targets


def resolve_targets(config: HarnessConfig, plugged_engine: str | None = None) -> list[Target]:
    """The targets to parametrize over, decided at collection time, with usage errors as ConfigError.

    Test ids must be known before anything is provisioned, so the choice
    between a real server and its stand-in is made here from cheap checks.
    A plugged-in adapter (--adapter) runs on the one engine its factory names.
    """
    unknown = [e for e in config.engines if e not in ENGINES]
    if unknown:
        raise ConfigError(f"--engine={','.join(unknown)} is not a registered engine; "
                          f"known: {', '.join(sorted(ENGINES))}")
    _check_providers(config)
    if plugged_engine is not None:
        if config.engines and plugged_engine not in config.engines:
            raise ConfigError(
                f"--adapter names engine {plugged_engine!r} but --engine={','.join(config.engines)} excludes it"
            )
        requested = [plugged_engine]
    else:
        requested = list(config.engines) or default_engines()
    engines: list[str] = []
    for engine in requested:
        # Named explicitly (--engine mongo, --require-engine mongo), an engine means the real server.
        fallback = engine_class(engine).fallback
        named = bool(config.engines) or plugged_engine is not None or engine in config.require
        if fallback is not None and not named and not config.images.get(engine) \
                and engine_class(engine).unreachable(config) is not None:
            engine = fallback
        if engine not in engines:
            engines.append(engine)
    targets = [target for engine in engines for target in _targets_for(engine, config)]
    names = {t.engine for t in targets} | {t.id for t in targets}
    missing = sorted(name for name in config.require if name != "all" and name not in names)
    if missing:
        known = {"all", *ENGINES} | {t.id for t in targets}
        bad = [m for m in missing if m not in known]
        raise ConfigError(
            f"--require-engine={','.join(bad)} is not an engine; known: {', '.join(sorted(known))}" if bad
            else f"--require-engine={','.join(missing)} is not among the engines this run selects "
                 f"({', '.join(t.id for t in targets)})"
        )
    return targets


def resolve_engine_ids(config: HarnessConfig, plugged_engine: str | None = None) -> list[str]:
    return [target.id for target in resolve_targets(config, plugged_engine)]
