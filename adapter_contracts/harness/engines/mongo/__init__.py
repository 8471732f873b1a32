"""MongoDB backends: a real server (dsn, container, local mongod) and the mongomock stand-in."""

from __future__ import annotations

import functools
import importlib
import importlib.util
import json
import os
import pwd
import shutil
import subprocess
import threading
import time
import uuid
from contextlib import ExitStack
from importlib import metadata
from typing import Any

import pymongo
from pymongo import MongoClient
from pymongo.database import Database
from pymongo.errors import PyMongoError

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.mongo import COLLECTIONS, COUNTERS, MongoAdapter
from adapter_contracts.harness.config import HarnessConfig
from adapter_contracts.harness.engines.base import Backend, Endpoint
from adapter_contracts.harness.provision import containers
from adapter_contracts.harness.provision.common import (
    MARKER_TABLE,
    MARKER_TEXT,
    ProvisionUnavailable,
    claim_existing_database,
    docker_available,
    find_binary,
    free_port,
    server_workdir,
    wait_until,
)
from adapter_contracts.harness.schema.layout import canonical_tables

__all__ = ["MONGOD_DIRS", "MongoBackend", "MongomockBackend", "real_mongo_reason"]

#: Where a mongod may live besides PATH (tarball installs, distro packages).
MONGOD_DIRS: tuple[str, ...] = ("/usr/bin", "/usr/local/bin", "/opt/mongodb*/bin", "/usr/local/mongodb*/bin")
_DRIVER = f"pymongo {pymongo.version}"
_PROVIDERS = ("dsn", "container", "local")


def real_mongo_reason(config: HarnessConfig) -> str | None:
    """None when a real MongoDB can be tried, else what was checked.  Cheap: starts nothing."""
    chosen = config.provider_for("mongo")
    providers = [chosen] if chosen in _PROVIDERS else list(_PROVIDERS)
    reasons: list[str] = []
    for provider in providers:
        if provider == "dsn":
            if "mongo" in config.dsns:
                return None
            reasons.append("dsn: no --mongo-dsn or CONTRACT_MONGO_DSN given")
        elif provider == "container":
            docker = docker_available()
            if docker is None and importlib.util.find_spec("testcontainers") is not None:
                return None
            reasons.append(f"container: {docker or 'testcontainers is not installed'}")
        elif provider == "local":
            if find_binary("mongod", MONGOD_DIRS) is not None:
                return None
            reasons.append(f"local: no mongod on PATH or in {', '.join(MONGOD_DIRS)}")
    return "; ".join(reasons)


def _raw_snapshot(db: Database[dict[str, Any]]) -> dict[str, list[tuple[Any, ...]]]:
    return {
        name: sorted((json.dumps(doc, sort_keys=True, default=str, ensure_ascii=False),) for doc in db[name].find())
        for name in COLLECTIONS
    }


def _reset(db: Database[dict[str, Any]]) -> None:
    # delete_many keeps the indexes; counters survive so billing seq keeps growing.
    for name in db.list_collection_names():
        if name not in (COUNTERS, MARKER_TABLE):
            db[name].delete_many({})


def _claim(client: MongoClient[dict[str, Any]], config: HarnessConfig) -> Database[dict[str, Any]]:
    """The DSN's own database, if it is empty (then marked as ours) or already marked."""
    try:
        db: Database[dict[str, Any]] = client.get_default_database()
    except PyMongoError:
        raise ProvisionUnavailable("--dsn-database=existing, but the --mongo-dsn names no database") from None
    try:
        names = db.list_collection_names()
        notes = ([str(doc.get("note")) for doc in db[MARKER_TABLE].find({}, limit=10)]
                 if MARKER_TABLE in names else None)
        if claim_existing_database(db.name, names, notes, canonical_tables("mongo"), [], config.allow_wipe,
                                   "--allow-wipe-foreign-database"):
            db[MARKER_TABLE].insert_one({"note": MARKER_TEXT})
    except PyMongoError as exc:
        raise ProvisionUnavailable(f"cannot inspect database {db.name!r}: {type(exc).__name__}") from None
    return db


def _server_version(client: MongoClient[dict[str, Any]]) -> str:
    info = client.admin.command("buildInfo")
    return f"MongoDB {info['version']}"


class MongoBackend(Backend):
    """A real MongoDB: each adapter gets its own MongoClient (its own connections)."""

    id = "mongo"
    label = "MongoDB"
    providers = _PROVIDERS
    layout = "mongo"

    def __init__(self) -> None:
        super().__init__()
        self._db: Database[dict[str, Any]] | None = None

    def start(self, provider: str, config: HarnessConfig, stack: ExitStack) -> Endpoint:
        if provider == "dsn":
            dsn = config.dsns.get("mongo")
            if not dsn:
                raise ProvisionUnavailable("no --mongo-dsn or CONTRACT_MONGO_DSN given")
        elif provider == "container":
            dsn = self._start_container(stack, config.startup_timeout)
        elif provider == "local":
            dsn = self._start_local(stack, config.startup_timeout)
        else:
            raise ProvisionUnavailable(f"unknown provider {provider!r}")
        try:
            client: MongoClient[dict[str, Any]] = MongoClient(
                dsn, serverSelectionTimeoutMS=int(min(5.0, config.startup_timeout) * 1000), tz_aware=True
            )
        except PyMongoError as exc:  # a malformed DSN; its text may hold a password, so name the error only
            raise ProvisionUnavailable(f"{provider}: unusable MongoDB DSN ({type(exc).__name__})") from None
        stack.callback(client.close)
        try:
            version = wait_until(lambda: _server_version(client), timeout=config.startup_timeout,
                                 what="MongoDB buildInfo")
        except ProvisionUnavailable as exc:
            raise ProvisionUnavailable(f"{provider}: server did not answer: {exc}") from None
        if provider == "dsn" and config.dsn_database == "existing":
            self._db = _claim(client, config)
            name = self._db.name
        else:
            # A database of our own, even on a server we started: the harness never
            # touches another database, and drops this one at the end.
            name = f"contract_{uuid.uuid4().hex[:12]}"
            stack.callback(client.drop_database, name)
            self._db = client[name]
        # Nothing made in advance: the adapter's create_schema() makes its collections and indexes.
        self.conditions = {"collections and indexes": "none made in advance"}
        return Endpoint(engine=self.id, provider=provider, dsn=dsn, database=name,
                        server_version=version, driver=_DRIVER)

    def _start_container(self, stack: ExitStack, timeout: float) -> str:
        mongo_container = containers.import_container_class("mongodb", "MongoDbContainer")
        container, self.image = containers.start("mongo", self.image, mongo_container, stack)
        url: str = container.get_connection_url()
        return url

    @staticmethod
    def _start_local(stack: ExitStack, timeout: float) -> str:
        binary = find_binary("mongod", MONGOD_DIRS)
        if binary is None:
            raise ProvisionUnavailable(f"no mongod on PATH or in {', '.join(MONGOD_DIRS)}")
        account = _server_account()
        # mongod must not run as root; it must own its dbpath.
        workdir = server_workdir("contract-mongod-", None if account is None else account.pw_name)
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        (workdir / "db").mkdir()
        if account is not None:
            os.chown(workdir / "db", account.pw_uid, account.pw_gid)
        port = free_port()
        argv = [binary, "--dbpath", str(workdir / "db"), "--port", str(port), "--bind_ip", "127.0.0.1",
                "--logpath", str(workdir / "mongod.log"), "--nounixsocket"]
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            user=None if account is None else account.pw_uid,
            group=None if account is None else account.pw_gid,
            extra_groups=None if account is None else [],  # drop root's supplementary groups
        )
        stack.callback(_stop, process)
        dsn = f"mongodb://127.0.0.1:{port}/?directConnection=true"
        probe: MongoClient[dict[str, Any]] = MongoClient(dsn, serverSelectionTimeoutMS=250)
        stack.callback(probe.close)

        def ready() -> str | None:
            if process.poll() is not None:
                return "exited"
            probe.admin.command("ping")
            return "ready"

        if wait_until(ready, timeout=timeout, what=f"mongod on port {port}") == "exited":
            log = workdir / "mongod.log"
            tail = log.read_text(errors="replace")[-400:] if log.exists() else ""
            raise ProvisionUnavailable(f"mongod exited with {process.returncode}: {tail.strip()}")
        return dsn

    def make_adapter(self, endpoint: Endpoint) -> Adapter:
        return MongoAdapter(MongoClient(endpoint.dsn, tz_aware=True), endpoint.database)

    def _database(self) -> Database[dict[str, Any]]:
        if self._db is None:
            raise RuntimeError("MongoBackend used before start()")
        return self._db

    def reset(self) -> None:
        _reset(self._database())

    def present_tables(self) -> set[str]:
        return set(self._database().list_collection_names())

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        return _raw_snapshot(self._database())


def _server_account() -> pwd.struct_passwd | None:
    """The account mongod runs as when we are root: ``mongodb`` if it exists, else ``nobody``."""
    if os.geteuid() != 0:
        return None
    for name in ("mongodb", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise ProvisionUnavailable("running as root and neither a 'mongodb' nor a 'nobody' account exists")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # SIGTERM: mongod shuts down cleanly
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class _Atomic:
    """A mongomock client, database or collection whose every call holds one lock.

    A real server applies each single-document operation atomically (an $inc, a
    unique-index check plus insert, an upsert).  mongomock only guards its dicts:
    under threads two find_one_and_update($inc) calls returned the same value
    (198 distinct billing seqs out of 200 in the concurrency contract).  The
    stand-in gets the server's per-operation atomicity here, so that the adapter
    stays written for real MongoDB and never branches on mongomock.
    """

    def __init__(self, target: Any, lock: threading.RLock) -> None:
        self._target = target
        self._lock = lock

    def _wrap(self, value: Any) -> Any:
        import mongomock

        if isinstance(value, (mongomock.Database, mongomock.Collection)):
            return _Atomic(value, self._lock)
        return value

    def __getitem__(self, name: str) -> Any:
        return self._wrap(self._target[name])

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._target, name)
        if not callable(attr):
            return self._wrap(attr)

        @functools.wraps(attr)
        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return self._wrap(attr(*args, **kwargs))

        return call


class MongomockBackend(Backend):
    """mongomock: an in-process imitation, labelled as a stand-in, never certified as MongoDB.

    Every adapter shares the one client, like several connections to one server;
    every mongomock call is made atomic (see :class:`_Atomic`).
    """

    id = "mongomock"
    label = "MongoDB stand-in (mongomock)"
    providers = ("mongomock",)
    stand_in = True
    database = "contract"
    layout = "mongo"

    def __init__(self) -> None:
        super().__init__()
        self._client: Any = None
        self.reset_seconds: list[float] = []

    def start(self, provider: str, config: HarnessConfig, stack: ExitStack) -> Endpoint:
        try:
            import mongomock
        except ImportError as exc:
            raise ProvisionUnavailable(f"mongomock not importable: {exc}") from None
        self._client = _Atomic(mongomock.MongoClient(tz_aware=True), threading.RLock())
        endpoint = Endpoint(
            engine=self.id, provider=provider, dsn="mongomock://", database=self.database,
            server_version=f"mongomock {metadata.version('mongomock')} (stand-in, not MongoDB)", driver=_DRIVER,
            extra={"client": self._client},
        )
        self.conditions = {"collections and indexes": "none made in advance"}
        return endpoint

    def make_adapter(self, endpoint: Endpoint) -> Adapter:
        # mongomock's close() is a no-op, so each adapter may close "its" shared client.
        return MongoAdapter(endpoint.extra["client"], endpoint.database)

    def _database(self) -> Any:
        if self._client is None:
            raise RuntimeError("MongomockBackend used before start()")
        return self._client[self.database]

    def present_tables(self) -> set[str]:
        return set(self._database().list_collection_names())

    def reset(self) -> None:
        began = time.perf_counter()
        _reset(self._database())
        self.reset_seconds.append(time.perf_counter() - began)

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        return _raw_snapshot(self._database())
