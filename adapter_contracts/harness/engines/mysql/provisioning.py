"""Where MySQL/MariaDB storage comes from: a database of the harness's own (with its owner record) on a
server reached as a user allowed to create databases, the DSN's own database when ownership is proven,
a container, or a throwaway local server."""

from __future__ import annotations

import contextlib
import json
import math
import secrets
import subprocess
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

import pymysql
import pymysql.constants.CLIENT

from adapter_contracts.adapters.bounds import DEFAULT_TIMEOUT
from adapter_contracts.adapters.mysql.connection import timeouts
from adapter_contracts.harness.provision import containers
from adapter_contracts.harness.provision.common import (
    CLEANUP_TIMEOUT,
    MARKER_TABLE,
    MARKER_TEXT,
    ProvisionUnavailable,
    claim_existing_database,
    find_binary,
    free_port,
    wait_until,
)
from adapter_contracts.harness.provision.local import LocalServer, spawn, terminate
from adapter_contracts.harness.provision.ownership import is_orphan, owner_record, parse_owner
from adapter_contracts.harness.provision.watchdog import watchdog

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.mysql import MySQLEngine

__all__ = ["HOSTILE_TIME_ZONE", "MySQLServer", "ServerAddress", "claim", "container", "driver",
           "drop_owned_database", "local_server", "own_database", "parse_mysql_dsn", "server_label"]

#: The server time zone of the servers the harness starts: not UTC and not a whole hour,
#: so that an adapter writing or reading DATETIME/TIMESTAMP through the session's zone fails.
HOSTILE_TIME_ZONE = "+05:45"


def driver() -> str:
    return f"PyMySQL {pymysql.VERSION_STRING}"


@dataclass(frozen=True)
class ServerAddress:
    """How to reach a server as a user allowed to create databases."""

    host: str
    port: int
    user: str
    password: str
    unix_socket: str | None = None
    #: The bound on every wait on the server (--server-timeout): connect, handshake, reads, writes, locks.
    timeout: float = DEFAULT_TIMEOUT

    def connect(self, database: str | None = None, **extra: Any) -> Any:
        params: dict[str, Any] = dict(
            host=self.host, port=self.port, user=self.user, password=self.password,
            unix_socket=self.unix_socket, database=database, charset="utf8mb4",
            ssl_disabled=True, autocommit=True, **timeouts(self.timeout),
            init_command=f"SET SESSION innodb_lock_wait_timeout = {max(1, math.ceil(self.timeout))}",
        )
        return pymysql.connect(**{**params, **extra})

    def connect_multi(self, database: str) -> Any:
        """A connection that may send several statements at once (reset and snapshot in one round trip)."""
        return self.connect(database, client_flag=pymysql.constants.CLIENT.MULTI_STATEMENTS)

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


def _hostile_collation(cur: Any) -> str:
    """The server's default utf8mb4 collation when it is case-insensitive, as a stock server's is
    (utf8mb4_general_ci on MariaDB 10, utf8mb4_0900_ai_ci on MySQL 8+, uca1400 on MariaDB 11), else
    utf8mb4_general_ci: a schema that leans on the database default for exact keys must fail."""
    cur.execute("SELECT DEFAULT_COLLATE_NAME FROM information_schema.CHARACTER_SETS"
                " WHERE CHARACTER_SET_NAME = 'utf8mb4'")
    row = cur.fetchone()
    name = str(row[0]) if row else ""
    return name if name.endswith("_ci") else "utf8mb4_general_ci"


# -- databases -----------------------------------------------------------------------


def claim(engine: MySQLEngine, address: ServerAddress, database: str, allowed: frozenset[str]) -> str:
    """Use the DSN's own database if it is empty (then marked as ours) or already marked; the server's label."""
    assert engine.layout is not None
    try:
        with address.connect(database) as conn, conn.cursor() as cur:
            cur.execute("SELECT VERSION()")
            version = server_label(cur.fetchone()[0])
            cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")
            tables = [str(row[0]) for row in cur.fetchall()]
            canonical = engine.layout.tables()
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
        hint = ""
        if exc.args and exc.args[0] in _DENIED:
            hint = (f"; the user {address.user!r} may not create tables in {database!r}: grant it (GRANT CREATE, "
                    f"DROP, SELECT, INSERT, UPDATE, DELETE ON `{database}`.* TO ...), or name a database where it may")
        raise ProvisionUnavailable(f"cannot inspect database {database!r}: {exc}{hint}") from None
    return version


def own_database(engine: MySQLEngine, address: ServerAddress, stack: ExitStack, *,
                 guard: bool = True) -> tuple[str, str]:
    """A new ``contract_<hex>`` database with a hostile default collation and an owner record; its name
    and the server's label.

    ``guard``: drop it at the end of the run, and have the watchdog drop it if the run dies.  Not on a
    server of the run's own (a throwaway server, a container), which takes the database with it when it
    goes: a guard there had the watchdog retry for minutes against a killed server whose directory was
    already removed."""
    try:
        admin = address.connect()
    except pymysql.err.Error as exc:
        raise ProvisionUnavailable(f"cannot connect to {address.host}:{address.port}: {exc}") from None
    database = f"contract_{secrets.token_hex(6)}"
    stack.callback(_close, admin)
    try:
        with admin.cursor() as cur:
            cur.execute("SELECT VERSION()")
            version = server_label(cur.fetchone()[0])
            engine.swept.extend(_sweep_databases(cur))
            if guard:
                stack.callback(watchdog.guard_database(drop_owned_database, address.dsn(""), database,
                                                       server_timeout=address.timeout))
            cur.execute(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4 COLLATE {_hostile_collation(cur)}")
            # MySQL databases have no comment: the owner record is a marker table's row.
            cur.execute(f"CREATE TABLE `{database}`.{MARKER_TABLE} (note VARCHAR(255) NOT NULL,"
                        " owner TEXT NOT NULL)")
            cur.execute(f"INSERT INTO `{database}`.{MARKER_TABLE} (note, owner) VALUES (%s, %s)",
                        (MARKER_TEXT, json.dumps(owner_record())))
    except pymysql.err.Error as exc:
        raise ProvisionUnavailable(f"cannot create a database to work in: {exc}{_privilege_hint(exc, address)}") \
            from None
    return database, version


#: Server error codes that refuse a privilege: access denied to a database, to a table, to an operation.
_DENIED = {1044, 1142, 1227, 1045}


def _privilege_hint(exc: pymysql.err.Error, address: ServerAddress) -> str:
    """For a refused privilege, what it is and the two ways out; else ''."""
    code = exc.args[0] if exc.args else None
    if code not in _DENIED:
        return ""
    return (f"; the user {address.user!r} lacks the CREATE and DROP privileges on new databases: grant them "
            f"(GRANT CREATE, DROP, ALTER, INDEX, REFERENCES, SELECT, INSERT, UPDATE, DELETE ON `contract\\_%`.* "
            f"TO '{address.user}'@'%'), or work in an existing empty database with --dsn-database existing "
            "and a DSN that names it")


def _close(conn: Any) -> None:
    with contextlib.suppress(pymysql.err.Error):
        conn.close()


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


def drop_owned_database(server: str, name: str, timeout: float = CLEANUP_TIMEOUT) -> None:
    """Drop a database this run created (the run's own cleanup, and the watchdog's hook): its name is
    ours by construction, and it holds the harness's marker row, or nothing yet (the marker is
    written right after CREATE)."""
    address, _ = parse_mysql_dsn(server)
    # Its own bound: a server that does not answer within it is left to the watchdog's retries.
    with replace(address, timeout=timeout).connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = %s", (name,))
        if cur.fetchone()[0] == 0:
            return  # never created (a user who may not create databases): nothing to drop, nothing to ask
        cur.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s", (name,))
        if cur.fetchone()[0] == 0 or _marker_notes(cur, name) == [MARKER_TEXT]:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")


# -- servers of the harness's own ----------------------------------------------------


def _ping(address: ServerAddress) -> bool:
    # A read timeout too: whatever holds the port may accept and never send a greeting.
    with address.connect(read_timeout=2, write_timeout=2) as conn:
        conn.ping(reconnect=False)
    return True


def container(engine: MySQLEngine, stack: ExitStack, timeout: float, network: str) -> ServerAddress:
    assert engine.server is not None
    mysql_container = containers.import_container_class("mysql", "MySqlContainer")
    password = secrets.token_hex(12)
    host_port = free_port() if network == "host" else None

    def make(image: str) -> Any:
        made = mysql_container(image, username="root", password=password)
        # Options after the image are the server's, in the official images and ours alike;
        # durability off as on the local servers: the data dies with the container.
        command = f"--default-time-zone={HOSTILE_TIME_ZONE} --skip-log-bin --innodb-flush-log-at-trx-commit=0"
        if host_port is not None:
            # MySQL's X protocol would take the host's port 33060 too (loose-: MariaDB has no such option).
            command += f" --port={host_port} --bind-address=127.0.0.1 --loose-mysqlx=OFF"
        made.with_command(command)
        return made

    engine.image = engine.image or engine.server.default_image
    image, data_dir = engine.image, engine.server.image_data_dir

    def start_one(own: ExitStack) -> ServerAddress:
        started = containers.start(image, make, own, data_dir=data_dir, host_network=host_port is not None)
        if host_port is not None:
            return ServerAddress(host="127.0.0.1", port=host_port, user="root", password=password)
        return ServerAddress(
            host=started.get_container_host_ip(), port=int(started.get_exposed_port(3306)),
            user="root", password=password,
        )

    # The async twin on the same image shares the container; each engine creates its own database.
    address, _ = containers.shared(f"mysql {image} {network}", stack, start_one)
    wait_until(lambda: _ping(address), timeout=timeout, what="MySQL container")
    return address


def _version_text(binary: str) -> str:
    try:
        done = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout + done.stderr


class MySQLServer(LocalServer):
    """mariadbd (initialised by mariadb-install-db) or mysqld (--initialize-insecure), run as our child."""

    name = "mysqld"

    def __init__(self, engine: MySQLEngine, timeout: float, *, seeds: Path | None = None) -> None:
        assert engine.server is not None
        super().__init__(engine.server.local, timeout, on_restart=engine.reconnect, seeds=seeds)
        self.mariadb = False
        self.installer: str | None = None
        self.process: subprocess.Popen[bytes] | None = None

    def locate(self) -> str | None:
        server = super().locate()
        if server is None:
            return None
        self.name = Path(server).name
        self.mariadb = self.name == "mariadbd" or "mariadb" in _version_text(server).lower()
        if self.mariadb:
            dirs = self.spec.search_dirs
            self.installer = find_binary("mariadb-install-db", dirs) or find_binary("mysql_install_db", dirs)
            if self.installer is None:
                raise ProvisionUnavailable("found mariadbd but no mariadb-install-db / mysql_install_db")
        return server

    @property
    def _charset(self) -> list[str]:
        # --no-defaults leaves MariaDB on latin1: utf8mb4 must be explicit.  The
        # collation mirrors a stock server, so the schema must bring its own.
        return ["--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci",
                # Else the server's temporary files follow our TMPDIR, which it may not enter.
                f"--tmpdir={self.workdir}"]

    @property
    def address(self) -> ServerAddress:
        # MySQL's --initialize-insecure creates only root@localhost: use the socket there.
        return ServerAddress(host="127.0.0.1", port=self.port, user="root", password="",
                             unix_socket=None if self.mariadb else str(self.workdir / "mysqld.sock"))

    @property
    def _redo_log(self) -> list[str]:
        # MariaDB's default redo log is 96 MB, written out in full when the server is installed: three
        # quarters of a throwaway server's directory, held in memory when that is on a tmpfs
        # (common.ram_disk).  A contract run writes a few MB.
        return ["--innodb-log-file-size=16M"] if self.mariadb else []

    def initialiser(self) -> list[str]:
        datadir = self.workdir / self.data
        if self.installer is not None:
            return [self.installer, "--no-defaults", f"--datadir={datadir}", "--auth-root-authentication-method=normal",
                    "--skip-test-db", "--skip-name-resolve", *self._charset, *self._redo_log]
        return [self.binary, "--no-defaults", "--initialize-insecure", f"--datadir={datadir}",
                f"--tmpdir={self.workdir}"]

    def launch(self) -> None:
        command = [
            self.binary, "--no-defaults", f"--datadir={self.workdir / 'data'}",
            f"--socket={self.workdir / 'mysqld.sock'}", f"--port={self.port}", "--bind-address=127.0.0.1",
            f"--pid-file={self.workdir / 'mysqld.pid'}", f"--log-error={self.log}", "--skip-log-bin",
            "--innodb-flush-log-at-trx-commit=0", "--skip-name-resolve", *self._charset, *self._redo_log,
            f"--default-time-zone={HOSTILE_TIME_ZONE}",
        ]
        if not self.mariadb:
            command += ["--mysqlx=OFF"]
        self.process = spawn(command, self.user, self.workdir)

    def exited(self) -> bool:
        return self.process is None or self.process.poll() is not None

    def answers(self) -> bool:
        return _ping(self.address)

    def halt(self, *, final: bool) -> None:
        terminate(self.process)


def local_server(engine: MySQLEngine, stack: ExitStack, timeout: float, *,
                 seeds: Path | None = None) -> MySQLServer:
    server = MySQLServer(engine, timeout, seeds=seeds)
    server.provision(stack)
    engine.swept.extend(server.swept)
    return server
