"""Where PostgreSQL storage comes from: a database of the harness's own (with its owner record), the
DSN's own database when ownership is proven, a container, or a throwaway server."""

from __future__ import annotations

import contextlib
import json
import secrets
import uuid
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.errors import DuplicateDatabase

from adapter_contracts.adapters.postgres.bounds import bounded_connect
from adapter_contracts.harness.provision import containers
from adapter_contracts.harness.provision.common import (
    CLEANUP_TIMEOUT,
    MARKER_TABLE,
    MARKER_TEXT,
    ProvisionUnavailable,
    claim_existing_database,
    free_port,
    run_as,
    wait_until,
)
from adapter_contracts.harness.provision.local import LocalServer
from adapter_contracts.harness.provision.ownership import is_orphan, owner_record, parse_owner
from adapter_contracts.harness.provision.watchdog import watchdog

if TYPE_CHECKING:
    from adapter_contracts.harness.config import HarnessConfig
    from adapter_contracts.harness.engines.postgres import PostgresEngine

__all__ = ["HARNESS_MARK", "HOSTILE_TIMEZONE", "PostgresServer", "clear_after_crash", "container", "database_name",
           "drop_owned_database", "existing_database", "libpq_url", "local_server", "own_database",
           "sweep_databases", "with_database"]

#: SQLSTATE of a refused privilege (CREATE DATABASE without CREATEDB, CREATE TABLE without CREATE on the schema).
INSUFFICIENT_PRIVILEGE = "42501"

#: The comment that marks a database as created (and droppable) by this harness.
HARNESS_MARK = "created by adapter-contracts harness"

#: Throwaway data: durability settings only slow the contracts down.
FAST_SETTINGS = ("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off")

#: The session time zone of every database the harness creates: not UTC, and not a whole
#: hour (a POSIX spec, so the server needs no time zone database): an adapter that reads or
#: writes timestamps through the session's zone instead of UTC must fail here, not in production.
HOSTILE_TIMEZONE = "<+0545>-05:45"


def database_name() -> str:
    """A database name no one else uses: contract_ and 12 hex digits."""
    return f"contract_{uuid.uuid4().hex[:12]}"


def libpq_url(url: str) -> str:
    """A SQLAlchemy-style URL (postgresql+psycopg2://...) as libpq reads it (postgresql://...)."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme.split('+', 1)[0]}{sep}{rest}"


def with_database(server: str, name: str) -> str:
    """The server DSN pointed at database ``name``, in the form it was given."""
    if "://" in server:
        parts = urlsplit(server)
        return urlunsplit(parts._replace(path="/" + name))
    return make_conninfo(server, dbname=name)


# -- databases of the harness's own ----------------------------------------------------


def own_database(engine: PostgresEngine, config: HarnessConfig, stack: ExitStack) -> tuple[str, str]:
    """A new ``contract_<hex>`` database on the DSN's server, with hostile defaults and an owner record."""
    server = config.dsns.get(engine.id)
    if not server:
        raise ProvisionUnavailable(engine.no_dsn())
    name = database_name()
    try:
        with bounded_connect(server, config.server_timeout) as conn:
            engine.swept.extend(sweep_databases(conn))
            stack.callback(watchdog.guard_database(drop_owned_database, server, name,
                                                   server_timeout=config.server_timeout))
            create_database(conn, name)
            conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(f"{HARNESS_MARK} {json.dumps(owner_record())}")))
    except psycopg.Error as exc:
        hint = ""
        if exc.sqlstate == INSUFFICIENT_PRIVILEGE:
            hint = ("; the role lacks CREATEDB: grant it (ALTER ROLE ... CREATEDB), or work in an existing "
                    "empty database with --dsn-database existing and a DSN that names it")
        raise ProvisionUnavailable(f"cannot create a database on the given server: {_first_line(exc)}{hint}") \
            from None
    return with_database(server, name), name


def existing_database(engine: PostgresEngine, config: HarnessConfig) -> tuple[str, str]:
    """The DSN's own database, if it is empty (then marked as ours) or already marked."""
    server = config.dsns.get(engine.id)
    if not server:
        raise ProvisionUnavailable(engine.no_dsn())
    assert engine.layout is not None
    try:
        with bounded_connect(server, config.server_timeout) as conn:
            database = conn.info.dbname
            found = [(str(schema), str(name)) for schema, name in conn.execute(
                "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')"
                " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                " AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'")]
            here = conn.execute("SELECT current_schema()").fetchone()
            schema = str(here[0]) if here else "public"
            tables = [name if space == schema else f"{space}.{name}" for space, name in found]
            canonical = engine.layout.tables()
            marker_rows = None
            if MARKER_TABLE in tables:
                try:
                    marker_rows = [str(row[0]) for row in conn.execute(
                        sql.SQL("SELECT note FROM {} LIMIT 10").format(sql.Identifier(MARKER_TABLE)))]
                except psycopg.Error:
                    marker_rows = []  # no "note" column: not the harness's marker
            inbound = [f"{source} -> {target}" for source, target in conn.execute(
                "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c"
                " WHERE c.contype = 'f' AND c.confrelid::regclass::text = ANY(%s)"
                " AND NOT c.conrelid::regclass::text = ANY(%s)", (list(canonical), list(canonical)))]
            if claim_existing_database(database, tables, marker_rows, canonical, inbound, config.allow_wipe,
                                       "--allow-wipe-foreign-database"):
                with conn.transaction():
                    conn.execute(f"CREATE TABLE {MARKER_TABLE} (note text NOT NULL,"
                                 " created_at timestamptz NOT NULL DEFAULT now())".encode())
                    conn.execute(f"INSERT INTO {MARKER_TABLE} (note) VALUES (%s)".encode(), (MARKER_TEXT,))
    except psycopg.Error as exc:
        hint = ""
        if exc.sqlstate == INSUFFICIENT_PRIVILEGE:
            hint = ("; the role may not create tables there: grant it (GRANT CREATE ON SCHEMA public TO ...), "
                    "or name a database where it may")
        raise ProvisionUnavailable(f"cannot inspect the DSN's database: {_first_line(exc)}{hint}") from None
    return server, database


def _first_line(exc: BaseException) -> str:
    """A server's message without the lines it adds (LINE 1: ..., HINT: ...): reasons are one line."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def create_database(conn: psycopg.Connection[Any], name: str) -> None:
    """Create a UTF-8 database with hostile defaults: ICU en-US collation, TimeZone +05:45.

    Production databases usually collate by locale, not by code point; a schema
    that leans on the default collation for ordering must fail here, not there.
    The certificate states what the database really got, measured
    (:meth:`~adapter_contracts.harness.engines.postgres.storage.RawStorage.conditions`).
    """
    ident = sql.Identifier(name)
    created = False
    if conn.info.server_version >= 150000:
        with suppress(psycopg.Error):  # no ICU in this build: fall back to the server's default
            conn.execute(sql.SQL(
                "CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C'"
                " LOCALE_PROVIDER icu ICU_LOCALE 'en-US'").format(ident))
            created = True
    if not created:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(ident))
    conn.execute(sql.SQL("ALTER DATABASE {} SET TimeZone TO {}").format(ident, sql.Literal(HOSTILE_TIMEZONE)))


def _create_on(server: str, name: str) -> bool:
    """Create ``name`` on a server the harness owns; polled, so a retry after a lost reply must succeed."""
    with bounded_connect(server) as conn, suppress(DuplicateDatabase):
        create_database(conn, name)
    return True


def _mark_of(conn: psycopg.Connection[Any], name: str) -> str | None:
    row = conn.execute(
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (name,)).fetchone()
    return None if row is None else ("" if row[0] is None else str(row[0]))


def _drop(conn: psycopg.Connection[Any], name: str) -> None:
    if conn.info.server_version >= 130000:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        return
    conn.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        (name,),
    )
    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def drop_owned_database(server: str, name: str, timeout: float = CLEANUP_TIMEOUT) -> None:
    """Drop a database this run created (the watchdog's hook too): its name is ours by construction,
    and its mark (set right after CREATE, so possibly still missing) must not be anyone else's."""
    with bounded_connect(server, timeout) as conn:
        mark = _mark_of(conn, name)
        if mark is None or (mark and not mark.startswith(HARNESS_MARK)):
            return
        _drop(conn, name)


def sweep_databases(conn: psycopg.Connection[Any]) -> list[str]:
    """Drop the ``contract_*`` databases whose mark names a process of this machine that has ended."""
    swept = []
    rows = conn.execute("SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database"
                        " WHERE datname LIKE 'contract\\_%'").fetchall()
    for name, mark in rows:
        if not isinstance(mark, str) or not mark.startswith(HARNESS_MARK + " "):
            continue
        if is_orphan(parse_owner(mark.removeprefix(HARNESS_MARK + " "))):
            with contextlib.suppress(psycopg.Error):
                _drop(conn, str(name))
                swept.append(str(name))
    return swept


# -- servers of the harness's own ------------------------------------------------------


def container(engine: PostgresEngine, stack: ExitStack, timeout: float, network: str) -> tuple[str, str]:
    assert engine.server is not None
    postgres_container = containers.import_container_class("postgres", "PostgresContainer")
    host_port = free_port() if network == "host" else None
    # A role of its own: a DSN that reached any other server (one with trust authentication too)
    # would be refused there, not run the contracts on it.
    user, password = f"contract_{secrets.token_hex(4)}", secrets.token_hex(12)

    def make(image: str) -> Any:
        made = postgres_container(image, username=user, password=password, dbname="postgres", driver=None)
        command = "postgres " + " ".join(FAST_SETTINGS)
        if host_port is not None:
            # PGPORT: also the port of the psql that testcontainers runs inside to see it ready.
            made.with_env("PGPORT", str(host_port))
            command += f" -c port={host_port} -c listen_addresses=127.0.0.1"
        made.with_command(command)
        return made

    engine.image = engine.image or engine.server.default_image
    image, data_dir = engine.image, engine.server.image_data_dir

    def start_one(own: ExitStack) -> str:
        started = containers.start(image, make, own, data_dir=data_dir, host_network=host_port is not None)
        if host_port is None:
            return libpq_url(str(started.get_connection_url()))
        return f"postgresql://{user}:{password}@127.0.0.1:{host_port}/postgres"

    # The async twin on the same image shares the container, with a database of its own.
    server, sharers = containers.shared(f"postgres {image} {network}", stack, start_one)
    name = "contract" if sharers == 0 else f"contract_{sharers + 1}"
    wait_until(lambda: _create_on(server, name), timeout=timeout, what="PostgreSQL container")
    return with_database(server, name), name


class PostgresServer(LocalServer):
    """initdb, then pg_ctl: the server runs detached, so whether it runs is what pg_ctl said."""

    name = "PostgreSQL"

    def __init__(self, engine: PostgresEngine, timeout: float, *, seeds: Path | None = None) -> None:
        assert engine.server is not None
        super().__init__(engine.server.local, timeout, on_restart=engine.reconnect, seeds=seeds)
        self.pg_ctl = ""
        self._failed = ""

    @property
    def server_dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def database_dsn(self) -> str:
        return with_database(self.server_dsn, "contract")

    def locate(self) -> str | None:
        initdb = super().locate()
        if initdb is None or not Path(initdb).with_name("pg_ctl").is_file():
            return None
        self.pg_ctl = str(Path(initdb).with_name("pg_ctl"))
        return initdb

    def initialiser(self) -> list[str]:
        return [self.binary, "-D", str(self.workdir / self.data), "-A", "trust", "-U", "postgres",
                "--encoding", "UTF8", "--locale", "C", "--no-sync"]

    def _pg_ctl(self, *args: str, timeout: float | None = None) -> str:
        return _run_pg_ctl(self.pg_ctl, self.user, self.workdir, *args, timeout=timeout)

    def launch(self) -> None:
        options = " ".join((f"-p {self.port}", f"-k {self.workdir}", "-c listen_addresses=127.0.0.1",
                            *FAST_SETTINGS))
        self._failed = self._pg_ctl("-l", str(self.log), "-o", options, "-w", "-t", str(int(self.timeout)), "start",
                                    timeout=self.timeout + 5)

    def log_tail(self, size: int = 500) -> str:
        return super().log_tail(size) or self._failed[-size:]

    def exited(self) -> bool:
        return bool(self._failed)

    def answers(self) -> bool:
        with bounded_connect(self.server_dsn, 5):
            return True

    def halt(self, *, final: bool) -> None:
        failed = self._pg_ctl("-m", "immediate" if final else "fast", "-w", "stop", timeout=self.timeout + 5)
        if failed and not final:
            raise RuntimeError(f"pg_ctl stop failed: {failed[-300:]}")
        if failed:
            clear_after_crash(self.workdir, self.pg_ctl, self.user or "", self.timeout)

    def crash_hook(self) -> tuple[str, ...]:
        # The watchdog's copy of the final stop's clearing, for a run that died with its server.
        return (f"{__name__}:{clear_after_crash.__name__}", self.pg_ctl, self.user or "")


def _run_pg_ctl(pg_ctl: str, user: str | None, workdir: Path, *args: str, timeout: float | None) -> str:
    """Run pg_ctl on ``workdir``'s data directory as ``user``; '' on success, else what it said."""
    done = run_as(user, [pg_ctl, "-D", str(workdir / "data"), *args], cwd=workdir, timeout=timeout)
    return "" if done.returncode == 0 else (done.stderr or done.stdout or f"exit {done.returncode}").strip()


def clear_after_crash(workdir: Path, pg_ctl: str, user: str, timeout: float = 10.0) -> None:
    """Remove what a postmaster killed outright (SIGKILL, the OOM killer) left outside its data directory.

    It leaves its shared memory, a System V segment and its dynamic segments in /dev/shm, until
    a server starts on the same data directory, which then removes them.  The directory is
    about to go, so one starts now, with no TCP port that could be taken meanwhile, and stops:
    nothing of the run outlives it.  Nothing to do without a stale ``postmaster.pid`` (a server
    that stopped cleanly).  The final stop calls this, and the watchdog when the run died too
    (:meth:`PostgresServer.crash_hook`); ``user``: the server's account, '' for ours.
    """
    if not (workdir / "data" / "postmaster.pid").exists():
        return
    failed = _run_pg_ctl(pg_ctl, user or None, workdir, "-l", str(workdir / "after-crash.log"), "-o",
                         f"-c listen_addresses='' -k {workdir}", "-w", "-t", str(int(timeout)), "start",
                         timeout=timeout + 5)
    if not failed:
        _run_pg_ctl(pg_ctl, user or None, workdir, "-m", "fast", "-w", "stop", timeout=timeout + 5)


def local_server(engine: PostgresEngine, stack: ExitStack, timeout: float, *,
                 seeds: Path | None = None) -> PostgresServer:
    server = PostgresServer(engine, timeout, seeds=seeds)
    server.provision(stack)
    engine.swept.extend(server.swept)
    wait_until(lambda: _create_on(server.server_dsn, "contract"), timeout=timeout, what="PostgreSQL server")
    return server
