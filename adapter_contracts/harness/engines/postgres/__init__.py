"""PostgreSQL for the harness: a database of our own on a given server, a container, or a throwaway server."""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import uuid
from collections.abc import Callable
from contextlib import ExitStack, suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.errors import DuplicateDatabase

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.postgres import PostgresAdapter
from adapter_contracts.harness.config import HarnessConfig
from adapter_contracts.harness.engines.base import Backend, Endpoint
from adapter_contracts.harness.faults import FaultInjector, FaultProxy
from adapter_contracts.harness.provision import containers
from adapter_contracts.harness.provision.common import (
    MARKER_TABLE,
    MARKER_TEXT,
    PORT_ATTEMPTS,
    ProvisionUnavailable,
    claim_existing_database,
    find_binary,
    free_port,
    port_taken,
    run_as,
    scrub,
    server_workdir,
    wait_until,
)
from adapter_contracts.harness.provision.ownership import (
    is_orphan,
    owner_record,
    parse_owner,
    sweep_workdirs,
    write_owner_file,
)
from adapter_contracts.harness.provision.watchdog import watchdog
from adapter_contracts.harness.schema.layout import canonical_tables

__all__ = ["HARNESS_MARK", "RESET_SQL", "TABLES", "PostgresBackend", "database_name", "drop_owned_database",
           "libpq_url", "sweep_databases", "with_database"]

#: Every table, parents first; snapshots report them in this order.
TABLES: tuple[str, ...] = (
    "users", "user_setup", "user_workspace", "user_integrations", "campaigns",
    "clients", "admin_clients", "client_oauth", "client_campaigns", "client_billing",
)

#: Children first, so no cascade or SET NULL trigger has anything to do; one round trip.
#: Measured faster than TRUNCATE on near-empty tables (see the backend's reset()).
RESET_SQL = "".join(f"DELETE FROM {table};" for table in reversed(TABLES))

#: Every table in one round trip, each ORDER BY the whole row (every column type here has a btree order).
SNAPSHOT_SQL = "".join(f"SELECT * FROM {table} AS t ORDER BY t;" for table in TABLES).encode()

#: The comment that marks a database as created (and droppable) by this harness.
HARNESS_MARK = "created by adapter-contracts harness"

PG_BIN_DIRS = (
    "/usr/lib/postgresql/*/bin", "/usr/local/pgsql/bin", "/usr/pgsql-*/bin", "/opt/homebrew/opt/postgresql*/bin",
)
# Throwaway data: durability settings only slow the contracts down.
FAST_SETTINGS = ("-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off")


def database_name() -> str:
    """A database name no one else uses: contract_ and 12 hex digits."""
    return f"contract_{uuid.uuid4().hex[:12]}"


def _plain(value: Any) -> Any:
    """A hashable, comparable plain value for snapshots."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return value


class PostgresBackend(Backend):
    id = "postgres"
    label = "PostgreSQL"
    providers = ("dsn", "container", "local")
    supports_faults = True
    layout = "postgres"

    def __init__(self) -> None:
        super().__init__()
        self._dsn: str | None = None
        self._raw: psycopg.Connection[tuple[Any, ...]] | None = None
        self._server: _PgCtl | None = None  # the throwaway server, when this backend started one
        self._owned = False  # set once start() has established the storage is the harness's to wipe

    # -- provisioning --------------------------------------------------------

    def start(self, provider: str, config: HarnessConfig, stack: ExitStack) -> Endpoint:
        timeout = config.startup_timeout
        try:
            if provider == "dsn":
                if config.dsn_database == "existing":
                    dsn, database = self._existing_database(config)
                else:
                    dsn, database = self._own_database(config, stack)
            elif provider == "container":
                dsn, database = self._container(stack, timeout)
            elif provider == "local":
                dsn, database = self._local_server(stack, timeout)
            else:
                raise ProvisionUnavailable(f"unknown provider {provider!r}")
            version = self._prepare(dsn, stack, timeout)
        except ProvisionUnavailable as exc:
            # Driver messages may quote the DSN: mask its password, drop the chained driver error.
            raise type(exc)(scrub(str(exc), config.dsns.values())) from None
        self._owned = True
        return Endpoint(
            engine=self.id, provider=provider, dsn=dsn, database=database,
            server_version=f"PostgreSQL {version}", driver=f"psycopg {psycopg.__version__}",
        )

    def _prepare(self, dsn: str, stack: ExitStack, timeout: float) -> str:
        """Open the raw connection used by reset and snapshot; the adapter lays out its own schema."""
        self._dsn = dsn
        stack.callback(self._close_raw)
        version = wait_until(lambda: self._server_version(), timeout=timeout, what="PostgreSQL connection")
        self.conditions = _conditions(self._connection())
        return version

    def _server_version(self) -> str:
        row = self._connection().execute("SHOW server_version").fetchone()
        assert row is not None
        return str(row[0]).split()[0]

    def _own_database(self, config: HarnessConfig, stack: ExitStack) -> tuple[str, str]:
        server = config.dsns.get("postgres")
        if not server:
            raise ProvisionUnavailable("dsn: no --postgres-dsn or CONTRACT_POSTGRES_DSN given")
        name = database_name()
        try:
            with psycopg.connect(server, autocommit=True, connect_timeout=10) as conn:
                self.swept = sweep_databases(conn)
                watchdog.guard_database("postgres", server, name)
                stack.callback(watchdog.removing(lambda: drop_owned_database(server, name),
                                                 "database", "postgres", server, name))
                _create_database(conn, name)
                conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(name), sql.Literal(f"{HARNESS_MARK} {json.dumps(owner_record())}")))
        except psycopg.Error as exc:
            raise ProvisionUnavailable(f"cannot create a database on the given server: {exc}") from None
        return with_database(server, name), name

    def _existing_database(self, config: HarnessConfig) -> tuple[str, str]:
        """The DSN's own database, if it is empty (then marked as ours) or already marked."""
        server = config.dsns.get("postgres")
        if not server:
            raise ProvisionUnavailable("dsn: no --postgres-dsn or CONTRACT_POSTGRES_DSN given")
        try:
            with psycopg.connect(server, autocommit=True, connect_timeout=10) as conn:
                database = conn.info.dbname
                found = [(str(schema), str(name)) for schema, name in conn.execute(
                    "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')"
                    " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                    " AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'")]
                here = conn.execute("SELECT current_schema()").fetchone()
                schema = str(here[0]) if here else "public"
                tables = [name if space == schema else f"{space}.{name}" for space, name in found]
                canonical = canonical_tables(self.layout)
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
            raise ProvisionUnavailable(f"cannot inspect the DSN's database: {exc}") from None
        return server, database

    def _container(self, stack: ExitStack, timeout: float) -> tuple[str, str]:
        postgres_container = containers.import_container_class("postgres", "PostgresContainer")

        def make(image: str) -> Any:
            container = postgres_container(image, driver=None)
            container.with_command("postgres " + " ".join(FAST_SETTINGS))
            return container

        container, self.image = containers.start("postgres", self.image, make, stack)
        server = libpq_url(str(container.get_connection_url()))
        wait_until(lambda: _create_on(server, "contract"), timeout=timeout, what="PostgreSQL container")
        return with_database(server, "contract"), "contract"

    def _local_server(self, stack: ExitStack, timeout: float) -> tuple[str, str]:
        initdb = find_binary("initdb", PG_BIN_DIRS)
        pg_ctl = None if initdb is None else Path(initdb).with_name("pg_ctl")
        if initdb is None or pg_ctl is None or not pg_ctl.is_file():
            raise ProvisionUnavailable(f"initdb/pg_ctl not found on PATH or in {', '.join(PG_BIN_DIRS)}")
        user = _server_user()
        self.swept = sweep_workdirs()
        workdir = server_workdir("contract-pg-", user)
        watchdog.guard_workdir(workdir)
        stack.callback(watchdog.removing(lambda: shutil.rmtree(workdir, True), "workdir", str(workdir)))
        write_owner_file(workdir)
        data, log = workdir / "data", workdir / "server.log"
        done = run_as(user, [initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "--encoding", "UTF8",
                             "--locale", "C", "--no-sync"], cwd=workdir, timeout=timeout)
        if done.returncode != 0:
            raise ProvisionUnavailable(f"initdb failed: {(done.stderr or done.stdout).strip()[-500:]}")
        stack.callback(run_as, user, [str(pg_ctl), "-D", str(data), "-m", "immediate", "-w", "stop"], cwd=workdir)
        for attempt in range(1, PORT_ATTEMPTS + 1):
            # The port was free when picked; another process may take it before the server binds.
            port = free_port()
            options = " ".join((f"-p {port}", f"-k {workdir}", "-c listen_addresses=127.0.0.1", *FAST_SETTINGS))
            done = run_as(user, [str(pg_ctl), "-D", str(data), "-l", str(log), "-o", options, "-w",
                                 "-t", str(int(timeout)), "start"], cwd=workdir, timeout=timeout + 5)
            if done.returncode == 0:
                break
            tail = log.read_text(errors="replace")[-500:] if log.exists() else done.stderr
            if not port_taken(tail) or attempt == PORT_ATTEMPTS:
                raise ProvisionUnavailable(f"pg_ctl start failed: {tail.strip()}")
        self._server = _PgCtl(user, str(pg_ctl), data, log, options, workdir, timeout, self._close_raw)
        stack.callback(setattr, self, "_server", None)
        server = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        wait_until(lambda: _create_on(server, "contract"), timeout=timeout, what="PostgreSQL server")
        return with_database(server, "contract"), "contract"

    # -- the backend's own connection ------------------------------------------

    def _connection(self) -> psycopg.Connection[tuple[Any, ...]]:
        raw = self._raw
        if raw is not None and not raw.closed and not raw.broken:
            return raw
        if self._dsn is None:
            raise RuntimeError("PostgresBackend used before start()")
        if raw is not None:
            raw.close()
        # Bounded: a server that vanished must surface as an error, not a hang.
        self._raw = psycopg.connect(self._dsn, autocommit=True, connect_timeout=5)
        return self._raw

    def _close_raw(self) -> None:
        if self._raw is not None:
            self._raw.close()
            self._raw = None

    # -- the Backend interface -------------------------------------------------

    def present_tables(self) -> set[str]:
        rows = self._connection().execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')").fetchall()
        return {str(name) for (name,) in rows}

    def reconnect(self) -> None:
        self._close_raw()

    def make_adapter(self, endpoint: Endpoint) -> Adapter:
        return PostgresAdapter(endpoint.dsn)

    def fault_injector(self, endpoint: Endpoint) -> FaultInjector | None:
        params = conninfo_to_dict(endpoint.dsn)
        host = str(params.get("hostaddr") or params.get("host") or "")
        if not host or host.startswith("/") or "," in host:
            return None  # a Unix socket or several hosts: no single TCP link to put a proxy on
        proxy = FaultProxy(host, int(str(params.get("port") or 5432)))
        # hostaddr reroutes the TCP link while host still names the server for TLS verification.
        proxied = make_conninfo(endpoint.dsn, hostaddr="127.0.0.1", port=str(proxy.port))
        server = self._server if endpoint.provider == "local" else None
        return FaultInjector(proxy, replace(endpoint, dsn=proxied), server)

    def reset(self) -> None:
        if not self._owned:
            raise RuntimeError("PostgresBackend.reset(): the storage was not established as the harness's own")
        # The adapter commits every operation, so emptying the tables is the only
        # isolation between examples.
        self._connection().execute(RESET_SQL.encode())

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        result: dict[str, list[tuple[Any, ...]]] = {}
        with self._connection().cursor() as cur:
            # One round trip for every table (measured 0.25 ms against 1.05 ms for ten
            # queries): hostile-input contracts snapshot twice per case.
            cur.execute(SNAPSHOT_SQL)
            for index, table in enumerate(TABLES):
                if index:
                    cur.nextset()
                result[table] = [tuple(_plain(value) for value in row) for row in cur.fetchall()]
        return result


@dataclass(frozen=True)
class _PgCtl:
    """Stops and starts the throwaway server on its port and data directory (fault contracts)."""

    user: str | None
    pg_ctl: str
    data: Path
    log: Path
    options: str
    workdir: Path
    timeout: float
    on_restart: Callable[[], None]

    def stop(self) -> None:
        done = run_as(self.user, [self.pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop"], cwd=self.workdir)
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl stop failed: {(done.stderr or done.stdout).strip()[-300:]}")
        self.on_restart()

    def start(self) -> None:
        done = run_as(self.user, [self.pg_ctl, "-D", str(self.data), "-l", str(self.log), "-o", self.options, "-w",
                                  "-t", str(int(self.timeout)), "start"], cwd=self.workdir, timeout=self.timeout + 5)
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed: {(done.stderr or done.stdout).strip()[-300:]}")


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


def _server_user() -> str | None:
    """Who runs the throwaway server: ``postgres`` when we are root (it refuses root), else us."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise ProvisionUnavailable("running as root and there is no 'postgres' user to run the server") from None
    return "postgres"


def _create_on(server: str, name: str) -> bool:
    """Create ``name`` on a server the harness owns; polled, so a retry after a lost reply must succeed."""
    with psycopg.connect(server, autocommit=True, connect_timeout=5) as conn, suppress(DuplicateDatabase):
        _create_database(conn, name)
    return True


#: The session time zone of every database the harness creates: not UTC, and not a whole
#: hour (a POSIX spec, so the server needs no time zone database): an adapter that reads or
#: writes timestamps through the session's zone instead of UTC must fail here, not in production.
HOSTILE_TIMEZONE = "<+0545>-05:45"


def _create_database(conn: psycopg.Connection[tuple[Any, ...]], name: str) -> None:
    """Create a UTF-8 database with hostile defaults: ICU en-US collation, TimeZone +05:45.

    Production databases usually collate by locale, not by code point; a schema
    that leans on the default collation for ordering must fail here, not there.
    The certificate states what the database really got (:func:`_conditions`).
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


def _conditions(conn: psycopg.Connection[tuple[Any, ...]]) -> dict[str, str]:
    """The defaults an adapter's session meets in this database, as the certificate states them."""
    row = conn.execute(
        "SELECT to_jsonb(d), current_setting('TimeZone') FROM pg_database d WHERE d.datname = current_database()"
    ).fetchone()
    info: dict[str, Any] = row[0] if row else {}
    locale = info.get("datlocale") or info.get("daticulocale")
    provider = {"i": "ICU", "b": "builtin", "c": "libc"}.get(str(info.get("datlocprovider", "c")), "libc")
    collation = f"{provider} {locale}" if locale and provider != "libc" else f"libc {info.get('datcollate')}"
    return {"default collation": collation, "TimeZone": str(row[1]) if row else "?"}


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


def drop_owned_database(server: str, name: str) -> None:
    """Drop a database this run created: its name is ours by construction, and its mark (set
    right after CREATE, so possibly still missing) must not be anyone else's."""
    with psycopg.connect(server, autocommit=True, connect_timeout=10) as conn:
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
