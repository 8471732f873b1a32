"""The MySQL/MariaDB engine: a given server (dsn), a Docker container, or a throwaway local server.

Whatever the provider, the harness works in a database it creates itself
(``contract_<hex>``) and drops at the end; it never touches another database.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pymysql
import pymysql.constants.CLIENT

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.mysql import MySQLAdapter
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

__all__ = ["TABLES", "MySQLBackend", "ServerAddress", "drop_owned_database", "parse_mysql_dsn", "server_label"]

#: Every table, children before parents, with its JSON columns (by position).
TABLES: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("client_billing", ()),
    ("client_campaigns", (2,)),
    ("client_oauth", (2,)),
    ("admin_clients", ()),
    ("campaigns", (3,)),
    ("user_integrations", (3,)),
    ("user_workspace", (1,)),
    ("user_setup", (3,)),
    ("clients", (2,)),
    ("users", ()),
)

#: One round trip, children first.  Median of 200 resets of a few rows on
#: MariaDB 10.11: 0.4 ms (throwaway server) / 3 ms (stock service), against
#: 108-131 ms / 15-44 ms for TRUNCATE, which recreates every tablespace.
RESET_SQL = "".join(f"DELETE FROM {table};" for table, _ in TABLES)
#: Every table in one round trip; rows are sorted in Python (see _sort_key).
SNAPSHOT_SQL = "".join(f"SELECT * FROM {table};" for table, _ in TABLES)

_SERVER_DIRS = ("/usr/sbin", "/usr/local/mysql/bin", "/usr/local/bin")
_SYSTEM_USER = "mysql"


@dataclass(frozen=True)
class ServerAddress:
    """How to reach a server as a user allowed to create databases."""

    host: str
    port: int
    user: str
    password: str
    unix_socket: str | None = None

    def connect(self, database: str | None = None, **extra: Any) -> Any:
        return pymysql.connect(
            host=self.host, port=self.port, user=self.user, password=self.password,
            unix_socket=self.unix_socket, database=database, charset="utf8mb4",
            ssl_disabled=True, autocommit=True, connect_timeout=5, **extra,
        )

    def dsn(self, database: str) -> str:
        auth = quote(self.user, safe="")
        if self.password:
            auth += ":" + quote(self.password, safe="")
        query = f"?unix_socket={quote(self.unix_socket, safe='/')}" if self.unix_socket else ""
        return f"mysql://{auth}@{self.host}:{self.port}/{quote(database, safe='')}{query}"


def parse_mysql_dsn(dsn: str) -> tuple[ServerAddress, str | None]:
    """``mysql://user:pass@host:port[/db]`` -> (address, db or None)."""
    parts = urlsplit(dsn)
    if parts.scheme not in ("mysql", "mariadb", "mysql+pymysql"):
        raise ProvisionUnavailable(f"expected mysql://user:pass@host:port, got scheme {parts.scheme!r}")
    try:
        port = parts.port or 3306
    except ValueError as exc:
        raise ProvisionUnavailable(f"bad port ({exc})") from None
    address = ServerAddress(
        host=parts.hostname or "127.0.0.1",
        port=port,
        user=unquote(parts.username or "root"),
        password=unquote(parts.password or ""),
    )
    return address, unquote(parts.path.lstrip("/")) or None


def server_label(version: str) -> str:
    """'10.11.19-MariaDB-0+deb12u1' -> 'MariaDB 10.11.19'; '8.0.36' -> 'MySQL 8.0.36'; Vitess is named."""
    number = version.split("-", 1)[0]
    if "mariadb" in version.lower():
        return f"MariaDB {number}"
    return f"MySQL {number} (Vitess)" if "vitess" in version.lower() else f"MySQL {number}"


#: The server time zone of the servers the harness starts: not UTC and not a whole hour,
#: so that an adapter writing or reading DATETIME/TIMESTAMP through the session's zone fails.
HOSTILE_TIME_ZONE = "+05:45"


def _hostile_collation(cur: Any) -> str:
    """The server's default utf8mb4 collation when it is case-insensitive, as a stock server's is
    (utf8mb4_general_ci on MariaDB 10, utf8mb4_0900_ai_ci on MySQL 8+, uca1400 on MariaDB 11), else
    utf8mb4_general_ci: a schema that leans on the database default for exact keys must fail."""
    cur.execute("SELECT DEFAULT_COLLATE_NAME FROM information_schema.CHARACTER_SETS"
                " WHERE CHARACTER_SET_NAME = 'utf8mb4'")
    row = cur.fetchone()
    name = str(row[0]) if row else ""
    return name if name.endswith("_ci") else "utf8mb4_general_ci"


def _canonical(value: Any) -> Any:
    if isinstance(value, (str, bytes)):
        return json.dumps(json.loads(value), sort_keys=True)
    return value


class MySQLBackend(Backend):
    id = "mysql"
    label = "MySQL/MariaDB"
    providers = ("dsn", "container", "local")
    supports_faults = True
    layout = "mysql"

    def __init__(self) -> None:
        super().__init__()
        self._raw: Any = None
        self._connect_raw: Callable[[], Any] = lambda: None
        self._server: _LocalServer | None = None  # the throwaway server, when this backend started one
        self._owned = False  # set once start() has established the storage is the harness's to wipe

    # -- provisioning ----------------------------------------------------------

    def start(self, provider: str, config: HarnessConfig, stack: ExitStack) -> Endpoint:
        existing: str | None = None
        try:
            if provider == "dsn":
                dsn = config.dsns.get("mysql")
                if not dsn:
                    raise ProvisionUnavailable("no --mysql-dsn given")
                address, named = parse_mysql_dsn(dsn)
                if config.dsn_database == "existing":
                    if not named:
                        raise ProvisionUnavailable("--dsn-database=existing, but the --mysql-dsn names no database")
                    existing = named
            elif provider == "container":
                address = self._start_container(stack, config.startup_timeout)
            elif provider == "local":
                address = self._start_local(stack, config.startup_timeout)
            else:
                raise ProvisionUnavailable(f"unknown provider {provider!r}")
            endpoint = self._prepare(provider, address, stack, existing, config.allow_wipe)
        except ProvisionUnavailable as exc:
            # Driver messages may quote credentials: mask the password, drop the chained driver error.
            raise type(exc)(scrub(str(exc), config.dsns.values())) from None
        self._owned = True
        return endpoint

    def _claim(self, address: ServerAddress, database: str, allowed: frozenset[str]) -> str:
        """Use the DSN's own database if it is empty (then marked as ours) or already marked."""
        try:
            with address.connect(database) as conn, conn.cursor() as cur:
                cur.execute("SELECT VERSION()")
                version = server_label(cur.fetchone()[0])
                cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")
                tables = [str(row[0]) for row in cur.fetchall()]
                canonical = canonical_tables(self.layout)
                marker_rows = _marker_notes(cur, database) if MARKER_TABLE in tables else None
                # Foreign keys may come from other databases on the same server.
                cur.execute("SELECT DISTINCT table_schema, table_name, referenced_table_name"
                            " FROM information_schema.key_column_usage"
                            " WHERE referenced_table_schema = DATABASE() AND referenced_table_name IS NOT NULL"
                            " AND NOT (table_schema = DATABASE() AND table_name IN %s)", (list(canonical),))
                inbound = [f"{schema}.{table} -> {target}" for schema, table, target in cur.fetchall()]
                if claim_existing_database(database, tables, marker_rows, canonical, inbound, allowed,
                                           "--allow-wipe-foreign-database"):
                    cur.execute(f"CREATE TABLE {MARKER_TABLE} (note VARCHAR(255) NOT NULL,"
                                " created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)")
                    cur.execute(f"INSERT INTO {MARKER_TABLE} (note) VALUES (%s)", (MARKER_TEXT,))
        except pymysql.err.Error as exc:
            raise ProvisionUnavailable(f"cannot inspect database {database!r}: {exc}") from None
        return version

    def _prepare(self, provider: str, address: ServerAddress, stack: ExitStack,
                 existing: str | None = None, allowed: frozenset[str] = frozenset()) -> Endpoint:
        """Create our own database (or claim the DSN's) with the schema and open the raw reset connection."""
        if existing is not None:
            database = existing
            version = self._claim(address, database, allowed)
        else:
            database, version = self._own_database(address, stack)

        endpoint = Endpoint(
            engine=self.id, provider=provider, dsn=address.dsn(database), database=database,
            server_version=version, driver=f"PyMySQL {pymysql.VERSION_STRING}",
        )
        self._connect_raw = lambda: address.connect(database, client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS)
        self._raw = self._connect_raw()
        stack.callback(self._close_raw)
        self.conditions = self._read_conditions()
        return endpoint

    def _read_conditions(self) -> dict[str, str]:
        """The defaults an adapter's session meets here, as the certificate states them."""
        with self._raw.cursor() as cur:
            cur.execute("SELECT @@collation_database, @@time_zone, @@system_time_zone")
            collation, zone, system = cur.fetchone()
        return {"default collation": str(collation),
                "time_zone": f"{zone} ({system})" if zone == "SYSTEM" else str(zone)}

    def _own_database(self, address: ServerAddress, stack: ExitStack) -> tuple[str, str]:
        try:
            admin = address.connect()
        except pymysql.err.Error as exc:
            raise ProvisionUnavailable(f"cannot connect to {address.host}:{address.port}: {exc}") from None
        database = f"contract_{secrets.token_hex(6)}"
        server = address.dsn("")
        try:
            with admin.cursor() as cur:
                cur.execute("SELECT VERSION()")
                version = server_label(cur.fetchone()[0])
                self.swept = _sweep_databases(cur)
                watchdog.guard_database("mysql", server, database)
                stack.callback(watchdog.removing(lambda: self._drop_database(address, database, admin),
                                                 "database", "mysql", server, database))
                cur.execute(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE {_hostile_collation(cur)}")
                # MySQL databases have no comment: the owner record is a marker table's row.
                cur.execute(f"CREATE TABLE `{database}`.{MARKER_TABLE} (note VARCHAR(255) NOT NULL,"
                            " owner TEXT NOT NULL)")
                cur.execute(f"INSERT INTO `{database}`.{MARKER_TABLE} (note, owner) VALUES (%s, %s)",
                            (MARKER_TEXT, json.dumps(owner_record())))
        except pymysql.err.Error as exc:
            with contextlib.suppress(pymysql.err.Error):
                admin.close()
            raise ProvisionUnavailable(f"cannot create a database to work in: {exc}") from None
        return database, version

    def _close_raw(self) -> None:
        raw, self._raw = self._raw, None
        if raw is not None:
            with contextlib.suppress(pymysql.err.Error):
                raw.close()

    @staticmethod
    def _drop_database(address: ServerAddress, database: str, admin: Any) -> None:
        # Only ever the database created above; the name is ours by construction.
        try:
            with admin.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS `{database}`")
        except pymysql.err.Error:
            with address.connect() as fresh, fresh.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS `{database}`")
        finally:
            with contextlib.suppress(pymysql.err.Error):
                admin.close()

    def _start_container(self, stack: ExitStack, timeout: float) -> ServerAddress:
        mysql_container = containers.import_container_class("mysql", "MySqlContainer")
        password = secrets.token_hex(12)

        def make(image: str) -> Any:
            container = mysql_container(image, username="root", password=password)
            # Options after the image are the server's, in the official images and ours alike;
            # durability off as on the local servers: the data dies with the container.
            container.with_command(f"--default-time-zone={HOSTILE_TIME_ZONE} --skip-log-bin"
                                   " --innodb-flush-log-at-trx-commit=0")
            return container

        container, self.image = containers.start("mysql", self.image, make, stack)
        address = ServerAddress(
            host=container.get_container_host_ip(), port=int(container.get_exposed_port(3306)),
            user="root", password=password,
        )
        wait_until(lambda: _ping(address), timeout=timeout, what="MySQL container")
        return address

    def _start_local(self, stack: ExitStack, timeout: float) -> ServerAddress:
        server = find_binary("mariadbd", _SERVER_DIRS) or find_binary("mysqld", _SERVER_DIRS)
        if server is None:
            raise ProvisionUnavailable(f"no mariadbd or mysqld on PATH or in {', '.join(_SERVER_DIRS)}")
        mariadb = Path(server).name == "mariadbd" or "mariadb" in _version_text(server).lower()
        installer = None
        if mariadb:
            installer = find_binary("mariadb-install-db", _SERVER_DIRS) or find_binary(
                "mysql_install_db", _SERVER_DIRS
            )
            if installer is None:
                raise ProvisionUnavailable("found mariadbd but no mariadb-install-db / mysql_install_db")

        user = _SYSTEM_USER if os.geteuid() == 0 else None
        self.swept = sweep_workdirs()
        workdir = server_workdir("contract-mysql-", user)
        watchdog.guard_workdir(workdir)
        stack.callback(watchdog.removing(lambda: shutil.rmtree(workdir, ignore_errors=True),
                                         "workdir", str(workdir)))
        write_owner_file(workdir)
        datadir = workdir / "data"
        # --no-defaults leaves MariaDB on latin1: utf8mb4 must be explicit.  The
        # collation mirrors a stock server, so the schema must bring its own.
        charset = ["--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
                   # Else the server's temporary files follow our TMPDIR, which it may not enter.
                   f"--tmpdir={workdir}"]
        if installer is not None:
            argv = [installer, "--no-defaults", f"--datadir={datadir}", "--auth-root-authentication-method=normal",
                    "--skip-test-db", "--skip-name-resolve", *charset]
        else:
            argv = [server, "--no-defaults", "--initialize-insecure", f"--datadir={datadir}", f"--tmpdir={workdir}"]
        try:
            done = run_as(user, argv, cwd=workdir, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise ProvisionUnavailable(f"{Path(argv[0]).name} did not finish within {timeout:.0f}s") from None
        if done.returncode != 0:
            raise ProvisionUnavailable(f"{Path(argv[0]).name} failed ({done.returncode}): "
                                       f"{(done.stderr or done.stdout).strip()[-400:]}")

        socket_path = workdir / "mysqld.sock"
        log = workdir / "error.log"
        for attempt in range(1, PORT_ATTEMPTS + 1):
            # The port was free when picked; another process may take it before the server binds.
            port = free_port()
            command = [
                server, "--no-defaults", f"--datadir={datadir}", f"--socket={socket_path}", f"--port={port}",
                "--bind-address=127.0.0.1", f"--pid-file={workdir / 'mysqld.pid'}", f"--log-error={log}",
                "--skip-log-bin", "--innodb-flush-log-at-trx-commit=0", "--skip-name-resolve", *charset,
                f"--default-time-zone={HOSTILE_TIME_ZONE}",
            ]
            if not mariadb:
                command += ["--mysqlx=OFF"]
            server_process = _LocalServer(command, user, workdir, timeout, self._close_raw)
            stack.callback(server_process.terminate)
            # MySQL's --initialize-insecure creates only root@localhost: use the socket there.
            address = ServerAddress(host="127.0.0.1", port=port, user="root", password="",
                                    unix_socket=None if mariadb else str(socket_path))
            if _wait_ready(server_process.process, address, timeout, Path(server).name):
                break
            tail = log.read_text(errors="replace")[-600:] if log.exists() else ""
            if not port_taken(tail) or attempt == PORT_ATTEMPTS:
                raise ProvisionUnavailable(
                    f"{Path(server).name} exited with {server_process.process.returncode}: {tail}")
            log.unlink(missing_ok=True)
        server_process.address = address
        self._server = server_process
        stack.callback(setattr, self, "_server", None)
        return address

    # -- adapters, reset, snapshot -------------------------------------------

    def make_adapter(self, endpoint: Endpoint) -> Adapter:
        adapter = MySQLAdapter.from_url(endpoint.dsn)
        return adapter

    def present_tables(self) -> set[str]:
        with self._cursor() as cur:
            cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")
            return {str(name) for (name,) in cur.fetchall()}

    def reconnect(self) -> None:
        self._close_raw()

    def _cursor(self) -> Any:
        if not self._owned:
            raise RuntimeError("mysql backend not started, or its storage is not the harness's own")
        if self._raw is None or not self._raw.open:
            self._raw = self._connect_raw()
        return self._raw.cursor()

    def fault_injector(self, endpoint: Endpoint) -> FaultInjector | None:
        parts = urlsplit(endpoint.dsn)
        if "unix_socket" in parse_qs(parts.query) or not parts.hostname:
            return None  # no TCP link to put a proxy on
        proxy = FaultProxy(parts.hostname, parts.port or 3306)
        auth = parts.netloc.rpartition("@")[0]
        netloc = f"{auth}@127.0.0.1:{proxy.port}" if auth else f"127.0.0.1:{proxy.port}"
        server = self._server if endpoint.provider == "local" else None
        return FaultInjector(proxy, replace(endpoint, dsn=parts._replace(netloc=netloc).geturl()), server)

    def reset(self) -> None:
        with self._cursor() as cur:
            cur.execute(RESET_SQL)
            while cur.nextset():
                pass

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        out: dict[str, list[tuple[Any, ...]]] = {}
        with self._cursor() as cur:
            # One round trip for every table (the raw connection allows multi-statements):
            # hostile-input contracts snapshot twice per case.
            cur.execute(SNAPSHOT_SQL)
            for index, (table, json_columns) in enumerate(TABLES):
                if index:
                    cur.nextset()
                rows = [
                    tuple(_canonical(v) if i in json_columns else v for i, v in enumerate(row))
                    for row in cur.fetchall()
                ]
                out[table] = sorted(rows, key=_sort_key)
        return out


def _marker_notes(cur: Any, database: str) -> list[str]:
    """The notes in a database's marker table; [] when it has no ``note`` column (not ours)."""
    try:
        cur.execute(f"SELECT note FROM `{database}`.{MARKER_TABLE} LIMIT 10")
    except pymysql.err.Error:
        return []
    return [str(row[0]) for row in cur.fetchall()]


def _sweep_databases(cur: Any) -> list[str]:
    """Drop the ``contract_*`` databases whose owner record names a process of this machine that has ended."""
    cur.execute("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'contract\\_%'")
    swept = []
    for (name,) in cur.fetchall():
        try:
            cur.execute(f"SELECT note, owner FROM `{name}`.{MARKER_TABLE} LIMIT 2")
            rows = cur.fetchall()
        except pymysql.err.Error:
            continue  # no marker of ours: never touched
        if len(rows) == 1 and rows[0][0] == MARKER_TEXT and is_orphan(parse_owner(str(rows[0][1]))):
            with contextlib.suppress(pymysql.err.Error):
                cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
                swept.append(str(name))
    return swept


def drop_owned_database(server: str, name: str) -> None:
    """Drop ``name`` on the server at ``server`` (a DSN) when its marker row is the harness's."""
    address, _ = parse_mysql_dsn(server)
    with address.connect() as conn, conn.cursor() as cur:
        if _marker_notes(cur, name) == [MARKER_TEXT]:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")


def _sort_key(row: tuple[Any, ...]) -> tuple[tuple[bool, str, Any], ...]:
    # Python-side sort: every column, NULLs first, without relying on the
    # server's collation or on comparing JSON columns in SQL.
    return tuple((v is not None, type(v).__name__, v if v is not None else 0) for v in row)


def _ping(address: ServerAddress) -> bool | None:
    # A read timeout too: whatever holds the port may accept and never send a greeting.
    with address.connect(read_timeout=2, write_timeout=2) as conn:
        conn.ping(reconnect=False)
    return True


def _version_text(binary: str) -> str:
    try:
        done = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout + done.stderr


def _wait_ready(process: subprocess.Popen[bytes], address: ServerAddress, timeout: float, what: str) -> bool:
    """True once the server answers, False if it exited first; ProvisionUnavailable after ``timeout``."""

    def ready() -> str | None:
        # Returns (rather than raises) on exit: wait_until treats exceptions as "not yet".
        if process.poll() is not None:
            return "exited"
        return "ready" if _ping(address) else None

    return wait_until(ready, timeout=timeout, what=f"local {what}") == "ready"


def _spawn(command: Sequence[str], user: str | None, cwd: Path) -> subprocess.Popen[bytes]:
    """Start the server in the background, as ``user`` directly (so its pid is ours to signal)."""
    return subprocess.Popen(
        list(command), cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        user=user, group=user, extra_groups=[] if user else None, start_new_session=True,
    )


class _LocalServer:
    """The throwaway server process; stop() and start() restart it on the same port and datadir."""

    def __init__(self, command: Sequence[str], user: str | None, workdir: Path, timeout: float,
                 on_restart: Callable[[], None]) -> None:
        self.command, self.user, self.workdir, self.timeout = list(command), user, workdir, timeout
        self.on_restart = on_restart
        self.address: ServerAddress | None = None
        self.process = _spawn(self.command, user, workdir)

    def stop(self) -> None:
        _terminate(self.process)
        self.on_restart()

    def start(self) -> None:
        self.process = _spawn(self.command, self.user, self.workdir)
        address = self.address
        assert address is not None
        wait_until(lambda: _ping(address), timeout=self.timeout, what="restarted local server")

    def terminate(self) -> None:
        _terminate(self.process)


def _terminate(process: subprocess.Popen[bytes], grace: float = 20.0) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
