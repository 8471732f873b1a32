"""Where MongoDB storage comes from: a database of the harness's own with its owner record (on a given
server, a container or a throwaway mongod), or the DSN's own database when ownership is proven.

The database functions take a client, so that the stand-in runs them too (on its
mongomock client) and the tests prove them there.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import subprocess
import uuid
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import pymongo
from pymongo import MongoClient
from pymongo.errors import PyMongoError

from adapter_contracts.adapters.bounds import GRACE
from adapter_contracts.harness.provision import containers
from adapter_contracts.harness.provision.common import (
    CLEANUP_TIMEOUT,
    MARKER_TABLE,
    MARKER_TEXT,
    ProvisionUnavailable,
    claim_existing_database,
    wait_until,
)
from adapter_contracts.harness.provision.local import LocalServer, spawn, terminate
from adapter_contracts.harness.provision.ownership import is_orphan, owner_record, parse_owner
from adapter_contracts.harness.provision.watchdog import watchdog

if TYPE_CHECKING:
    from adapter_contracts.harness.config import HarnessConfig
    from adapter_contracts.harness.engines.base import Engine
    from adapter_contracts.harness.engines.mongo import MongoEngine

__all__ = ["MongoServer", "claim", "client_timeouts", "conditions", "connect", "container", "driver",
           "drop_owned_database", "local_server", "own_database", "sweep_databases"]


def driver() -> str:
    return f"pymongo {pymongo.version}"


def client_timeouts(timeout: float) -> dict[str, Any]:
    """pymongo's bounds for ``timeout`` seconds: choosing a server, connecting, and each socket read or write
    (a little longer, so that a healthy server's own time limit is still its error)."""
    millis = int(timeout * 1000)
    return {"serverSelectionTimeoutMS": millis, "connectTimeoutMS": millis,
            "socketTimeoutMS": int((timeout + GRACE) * 1000)}


def connect(provider: str, dsn: str, timeout: float, stack: ExitStack, bound: float = 10.0) -> tuple[Any, str]:
    """The engine's own client on ``dsn`` (closed with ``stack``) and the server's version label; every wait
    on the server bounded by ``bound`` seconds, server selection by at most 5 s while it starts."""
    try:
        client: MongoClient[dict[str, Any]] = MongoClient(
            dsn, tz_aware=True, **{**client_timeouts(bound),
                                   "serverSelectionTimeoutMS": int(min(5.0, timeout, bound) * 1000)})
    except PyMongoError as exc:  # a malformed DSN; its text may hold a password, so name the error only
        raise ProvisionUnavailable(f"{provider}: unusable MongoDB DSN ({type(exc).__name__})") from None
    stack.callback(client.close)

    def version() -> str:
        return f"MongoDB {client.admin.command('buildInfo')['version']}"

    try:
        return client, wait_until(version, timeout=timeout, what="MongoDB buildInfo")
    except ProvisionUnavailable as exc:
        raise ProvisionUnavailable(f"{provider}: server did not answer: {exc}") from None


# -- databases -------------------------------------------------------------------------


def own_database(engine: Engine, client: Any, server: str | None, stack: ExitStack, *,
                 server_timeout: float = CLEANUP_TIMEOUT) -> Any:
    """A new ``contract_<hex>`` database holding the run's owner record, after sweeping ended runs'.

    ``server`` is the DSN the watchdog drops it through after a SIGKILL (None for an
    in-process client, which nothing outlives); the run drops it itself when ``stack`` closes, within
    its ``server_timeout`` (``Watchdog.guard_database``).
    """
    engine.swept.extend(sweep_databases(client))
    name = f"contract_{uuid.uuid4().hex[:12]}"
    if server is not None:
        stack.callback(watchdog.guard_database(drop_owned_database, server, name,
                                               server_timeout=server_timeout))
    else:
        stack.callback(client.drop_database, name)
    db = client[name]
    db[MARKER_TABLE].insert_one({"note": MARKER_TEXT, "owner": json.dumps(owner_record())})
    return db


def _is_ours(db: Any) -> bool | None:
    """True when ``db`` holds exactly the harness's owner record, None when it holds nothing at all."""
    names = db.list_collection_names()
    if not names:
        return None
    if MARKER_TABLE not in names:
        return False
    notes = list(db[MARKER_TABLE].find({}, limit=2))
    return len(notes) == 1 and notes[0].get("note") == MARKER_TEXT


def sweep_databases(client: Any) -> list[str]:
    """Drop the ``contract_*`` databases whose owner record names a process of this machine that has ended."""
    swept = []
    try:
        names = [name for name in client.list_database_names() if name.startswith("contract_")]
    except PyMongoError:
        return []  # a user who may not list databases: nothing of theirs is touched
    for name in names:
        with contextlib.suppress(PyMongoError):
            if not _is_ours(client[name]):
                continue  # no record of ours: never touched
            record = client[name][MARKER_TABLE].find_one({})
            if is_orphan(parse_owner(str(record.get("owner")) if record else None)):
                client.drop_database(name)
                swept.append(name)
    return swept


def drop_owned_database(server: str, name: str, timeout: float = CLEANUP_TIMEOUT) -> None:
    """Drop a database this run created (the run's own cleanup, and the watchdog's hook): its name is
    ours by construction, and it holds the harness's owner record, or nothing yet."""
    # Its own bound: a server that does not answer within it is left to the watchdog's retries.
    client: MongoClient[dict[str, Any]] = MongoClient(server, **client_timeouts(timeout))
    try:
        if _is_ours(client[name]) is not False:
            client.drop_database(name)
    finally:
        client.close()


def claim(client: Any, engine: Engine, config: HarnessConfig) -> Any:
    """The DSN's own database, if it is empty (then marked as ours) or already marked."""
    assert engine.layout is not None
    try:
        db = client.get_default_database()
    except PyMongoError:
        raise ProvisionUnavailable("--dsn-database=existing, but the --mongo-dsn names no database") from None
    try:
        names = db.list_collection_names()
        notes = ([str(doc.get("note")) for doc in db[MARKER_TABLE].find({}, limit=10)]
                 if MARKER_TABLE in names else None)
        if claim_existing_database(db.name, names, notes, engine.layout.tables(), [], config.allow_wipe,
                                   "--allow-wipe-foreign-database"):
            db[MARKER_TABLE].insert_one({"note": MARKER_TEXT})
    except PyMongoError as exc:
        raise ProvisionUnavailable(f"cannot inspect database {db.name!r}: {type(exc).__name__}") from None
    return db


def conditions(db: Any, engine: Engine) -> tuple[dict[str, str], dict[str, str]]:
    """What the adapter's create_schema() meets, measured: the collections already there (the
    README promises none), and the promise unmet when there are some."""
    made = sorted(set(db.list_collection_names()) - {MARKER_TABLE})
    if not made:
        return {"collections and indexes": "none made in advance"}, {}
    shown = ", ".join(made[:8]) + (", ..." if len(made) > 8 else "")
    return ({"collections and indexes": f"{len(made)} collection(s) there before create_schema()"},
            {"no collections or indexes made in advance": f"{len(made)} collection(s) already there ({shown}) "
                                                          "instead: the DSN's own database (--dsn-database "
                                                          "existing), kept as the harness found it"})


# -- servers of the harness's own ----------------------------------------------------


def container(engine: MongoEngine, stack: ExitStack) -> str:
    assert engine.server is not None
    mongo_container = containers.import_container_class("mongodb", "MongoDbContainer")
    engine.image = engine.image or engine.server.default_image
    started = containers.start(engine.image, mongo_container, stack, data_dir=engine.server.image_data_dir)
    url: str = started.get_connection_url()
    return url


class MongoServer(LocalServer):
    """mongod, run as our child; it must not run as root and must own its dbpath."""

    name = "mongod"

    def __init__(self, engine: MongoEngine, timeout: float) -> None:
        assert engine.server is not None
        super().__init__(engine.server.local, timeout)
        self.process: subprocess.Popen[bytes] | None = None
        self._probe: MongoClient[dict[str, Any]] | None = None

    @property
    def dsn(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    def initialiser(self) -> None:
        # An empty directory of the server's: nothing a seed would save.
        return None

    def initialise(self) -> None:
        (self.workdir / "db").mkdir()
        if self.user is not None and os.geteuid() == 0:
            account = pwd.getpwnam(self.user)
            os.chown(self.workdir / "db", account.pw_uid, account.pw_gid)

    def launch(self) -> None:
        self.process = spawn([self.binary, "--dbpath", str(self.workdir / "db"), "--port", str(self.port),
                              "--bind_ip", "127.0.0.1", "--logpath", str(self.log), "--nounixsocket",
                              "--pidfilepath", str(self.workdir / "mongod.pid")], self.user, self.workdir)
        if self._probe is not None:
            self._probe.close()
        self._probe = MongoClient(self.dsn, **{**client_timeouts(1.0), "serverSelectionTimeoutMS": 250})

    def exited(self) -> bool:
        return self.process is None or self.process.poll() is not None

    def answers(self) -> bool:
        assert self._probe is not None
        self._probe.admin.command("ping")
        return True

    def halt(self, *, final: bool) -> None:
        terminate(self.process)  # SIGTERM: mongod shuts down cleanly
        if self._probe is not None:
            self._probe.close()
            self._probe = None


def local_server(engine: MongoEngine, stack: ExitStack, timeout: float) -> str:
    server = MongoServer(engine, timeout)
    server.provision(stack)
    engine.swept.extend(server.swept)
    return server.dsn
