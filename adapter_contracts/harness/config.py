"""The harness configuration: one frozen dataclass, each option a flag, an ini key and an env var.

Precedence: command-line flag, then environment variable, then ini key, then
the default.  ``pytest --help`` lists the flags under "contract harness".

Every engine reached through a server takes ``--<engine>-dsn`` and
``--<engine>-image``: those options are made here from the engine registry's
light data (the engine classes import no driver), so that adding an engine
adds its options.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from adapter_contracts.adapters.bounds import DEFAULT_TIMEOUT
from adapter_contracts.harness.engines import server_engines, twin_engines
from adapter_contracts.harness.engines.base import dsn_names, image_names
from adapter_contracts.harness.provision.common import redact_dsn
from adapter_contracts.harness.usage import ConfigError

__all__ = ["CONTAINER_NETWORKS", "DSN_DATABASE_MODES", "OPTIONS", "SERVER_TIMEOUT", "SERVER_TIMEOUT_MAX",
           "ConfigError", "HarnessConfig", "Option"]


@dataclass(frozen=True)
class Option:
    flag: str
    ini: str
    env: str
    help: str
    multiple: bool = False  # comma-separated list; the flag may repeat

    @property
    def dest(self) -> str:
        return self.ini


OPTIONS: tuple[Option, ...] = (
    Option("--engine", "contract_engines", "CONTRACT_ENGINES",
           "engines to run (comma-separated or repeated); default: every registered engine", True),
    Option("--provider", "contract_provider", "CONTRACT_PROVIDER",
           "provider to use instead of trying dsn, container, local in order: NAME for every "
           "engine or ENGINE=NAME pairs (comma-separated)", True),
    *(Option(*dsn_names(cls.id), f"a {cls.label} server to use ({cls.server.dsn_example}); the harness "
             "creates and drops its own database there") for cls in server_engines() if cls.server),
    *(Option(*image_names(cls.id), f"container image(s) for {cls.label} (comma-separated or repeated): each "
             f"is its own engine version, e.g. {cls.server.version_example}, run through the container provider "
             "only", True) for cls in server_engines() if cls.server),
    Option("--require-engine", "contract_require_engines", "CONTRACT_REQUIRE_ENGINES",
           "engines that must be provisioned, or 'all': a missing one stops the run instead of "
           "skipping", True),
    Option("--adapter", "contract_adapter", "CONTRACT_ADAPTER",
           "run the contracts against this adapter factory instead of the built-in one: "
           "package.module:factory (the factory names its engine)"),
    Option("--conformance-report", "contract_report", "CONTRACT_REPORT",
           "write the conformance report to PATH.json and PATH.md"),
    Option("--local-seeds", "contract_local_seeds", "CONTRACT_LOCAL_SEEDS",
           "an existing directory where throwaway local servers keep a copy of a freshly initialised data "
           "directory, one per server binary and settings, and copy it instead of initialising each server "
           "anew (for suites that start many runs); the harness adds seed-* entries and never removes them"),
    Option("--startup-timeout", "contract_startup_timeout", "CONTRACT_STARTUP_TIMEOUT",
           "seconds to wait for a server to become ready (default 30)"),
    Option("--server-timeout", "contract_server_timeout", "CONTRACT_SERVER_TIMEOUT",
           "seconds any one wait on a server may take: connecting, one statement or round trip, one lock "
           "(default 10, at most 600); a server that stops answering ends its engine within about "
           "three times this, as a server fault"),
    Option("--container-network", "contract_container_network", "CONTRACT_CONTAINER_NETWORK",
           "'published' (default): reach the PostgreSQL and MySQL containers through a port Docker "
           "publishes on this host; 'host': run them on the host's network, the server on a free loopback "
           "port, so that no Docker proxy sits between adapter and server (Linux, with a local Docker engine)"),
    Option("--dsn-database", "contract_dsn_database", "CONTRACT_DSN_DATABASE",
           "'own' (default): create and drop a contract_<hex> database on each --*-dsn server; "
           "'existing': work in the DSN's own database (for servers where CREATE DATABASE is not allowed); "
           "the harness initialises it only when it is empty and marks it as its own"),
    Option("--allow-wipe-foreign-database", "contract_allow_wipe", "CONTRACT_ALLOW_WIPE",
           "with --dsn-database=existing: names of databases (comma-separated) the harness may write "
           "to and wipe even though they hold tables it did not create", True),
)

#: Values of --dsn-database.
DSN_DATABASE_MODES = ("own", "existing")
#: Values of --container-network.
CONTAINER_NETWORKS = ("published", "host")


#: --server-timeout: its default, and its upper bound (a longer wait is a hang by another name).
SERVER_TIMEOUT = DEFAULT_TIMEOUT
SERVER_TIMEOUT_MAX = 600.0


def _seconds(raw: object, flag: str = "--startup-timeout", default: float = 30.0,
             most: float = math.inf) -> float:
    """A finite number of seconds above zero (0 would give up before any server answers), at most ``most``."""
    text = str(raw).strip() if raw not in (None, "") else f"{default:g}"
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0 or value > most:
        bound = f" and at most {most:g}" if math.isfinite(most) else ""
        raise ConfigError(f"{flag}={text!r} is not a finite number of seconds above 0{bound}; "
                          f"pass e.g. {default:g}")
    return value


class _Source(Protocol):
    def getoption(self, name: str) -> Any: ...
    def getini(self, name: str) -> Any: ...


@dataclass(frozen=True)
class HarnessConfig:
    engines: tuple[str, ...] = ()
    providers: Mapping[str, str] = field(default_factory=dict)
    #: Engine -> the DSN of the server the user named for it.
    dsns: Mapping[str, str] = field(default_factory=dict)
    #: Engine -> container images, each one engine version.
    images: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    require: frozenset[str] = frozenset()
    startup_timeout: float = 30.0
    #: The bound on any one wait on a server (connect, statement, lock): Endpoint.timeout.
    server_timeout: float = SERVER_TIMEOUT
    adapter: str | None = None
    report_path: str | None = None
    #: "own" (create a database per run) or "existing" (use the DSN's database).
    dsn_database: str = "own"
    #: Databases the user allows the harness to wipe although it did not initialise them.
    allow_wipe: frozenset[str] = frozenset()
    #: "published" (Docker publishes the server's port) or "host" (the host's network, no proxy).
    container_network: str = "published"
    #: Where throwaway local servers keep and find seeds (provision/seeds.py); None: no seeds.
    local_seeds: Path | None = None

    def provider_for(self, engine: str) -> str | None:
        return self.providers.get(engine, self.providers.get("*"))

    def required(self, engine: str) -> bool:
        return "all" in self.require or engine in self.require

    @classmethod
    def from_values(cls, raw: Mapping[str, str | list[str] | None]) -> HarnessConfig:
        def items(key: str) -> list[str]:
            value = raw.get(key)
            parts = value if isinstance(value, list) else [value or ""]
            return [p.strip() for chunk in parts for p in chunk.split(",") if p.strip()]

        providers: dict[str, str] = {}
        for item in items("contract_provider"):
            engine, eq, name = item.partition("=")
            providers[engine.strip() if eq else "*"] = (name if eq else engine).strip()
        engines = [cls.id for cls in server_engines()]
        dsns = {engine: str(raw[dsn_names(engine)[1]]) for engine in engines if raw.get(dsn_names(engine)[1])}
        for engine_cls in server_engines():
            named = dsns.get(engine_cls.id)
            problem = engine_cls.dsn_problem(named) if named else None
            if named and problem:
                # The one check before any driver sees the DSN: the part that is wrong, the password masked.
                raise ConfigError(f"{dsn_names(engine_cls.id)[0]}: {problem}: {redact_dsn(named)}")
        images = {engine: tuple(items(image_names(engine)[1])) for engine in engines
                  if items(image_names(engine)[1])}
        for engine, twin in twin_engines().items():
            if twin in dsns:
                dsns[engine] = dsns[twin]
            if twin in images:
                images[engine] = images[twin]
        timeout = _seconds(raw.get("contract_startup_timeout"))
        server_timeout = _seconds(raw.get("contract_server_timeout"), "--server-timeout", SERVER_TIMEOUT,
                                  SERVER_TIMEOUT_MAX)
        mode = str(raw.get("contract_dsn_database") or "own").strip().lower()
        if mode not in DSN_DATABASE_MODES:
            raise ConfigError(
                f"--dsn-database={mode!r} is not one of {', '.join(DSN_DATABASE_MODES)}"
            )
        network = str(raw.get("contract_container_network") or "published").strip().lower()
        if network not in CONTAINER_NETWORKS:
            raise ConfigError(
                f"--container-network={network!r} is not one of {', '.join(CONTAINER_NETWORKS)}"
            )
        seeds = str(raw.get("contract_local_seeds") or "").strip()
        if seeds and not Path(seeds).is_dir():
            raise ConfigError(f"--local-seeds={seeds!r} is not a directory: make it first (mkdir -p), "
                              "or leave the option out")
        return cls(
            engines=tuple(items("contract_engines")),
            providers=providers,
            dsns=dsns,
            images=images,
            require=frozenset(items("contract_require_engines")),
            startup_timeout=timeout,
            server_timeout=server_timeout,
            adapter=str(raw["contract_adapter"]) if raw.get("contract_adapter") else None,
            report_path=str(raw["contract_report"]) if raw.get("contract_report") else None,
            dsn_database=mode,
            allow_wipe=frozenset(items("contract_allow_wipe")),
            container_network=network,
            local_seeds=Path(seeds).resolve() if seeds else None,
        )

    @classmethod
    def from_pytest(cls, source: _Source, environ: Mapping[str, str]) -> HarnessConfig:
        raw: dict[str, str | list[str] | None] = {}
        for option in OPTIONS:
            value = source.getoption(option.dest)
            if value in (None, []):
                value = environ.get(option.env) or source.getini(option.ini) or None
            raw[option.dest] = value
        return cls.from_values(raw)
