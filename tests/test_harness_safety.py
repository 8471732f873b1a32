"""Harness safety: it wipes only storage it created or marked, and never prints a password.

These use the machine's service servers (PostgreSQL on 5432, MariaDB on 3306)
with a login role that has a password and scratch databases this module
creates and drops; nothing else on those servers is touched.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import traceback
from collections.abc import Iterator
from contextlib import ExitStack, closing
from pathlib import Path
from typing import Any

import psycopg
import pymysql
import pytest

from adapter_contracts.harness.config import HarnessConfig
from adapter_contracts.harness.engines import load_engine
from adapter_contracts.harness.engines.base import Engine
from adapter_contracts.harness.provision.common import (
    MARKER_TABLE,
    ProvisionRefused,
    ProvisionUnavailable,
    dsn_secrets,
    redact_dsn,
    scrub,
)
from adapter_contracts.harness.session import EngineSession, EngineUnavailable
from tests.inner import child_env
from tests.provisioned import provision

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "s3cret-xyz"
ROLE = f"contract_pw_{os.getpid()}"  # per process: xdist workers share the service servers
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


# -- the servers, a role with a password, scratch databases ------------------------


class Server:
    """One service server as these tests drive it: admin connection, scratch databases, raw state."""

    engine: str

    def user_dsn(self, database: str = "", password: str = PASSWORD, port: int | None = None) -> str:
        raise NotImplementedError

    def create(self, name: str) -> None:
        raise NotImplementedError

    def drop(self, name: str) -> None:
        raise NotImplementedError

    def fill_foreign(self, name: str) -> None:
        raise NotImplementedError

    def state(self, name: str) -> Any:
        """Every relation and every row of database ``name``, for byte-for-byte comparisons."""
        raise NotImplementedError

    def exists(self, name: str) -> bool:
        raise NotImplementedError


class Postgres(Server):
    engine = "postgres"

    def __init__(self) -> None:
        self.admin = psycopg.connect(PG_ADMIN, autocommit=True)
        self.admin.execute(f"DROP ROLE IF EXISTS {ROLE}")
        self.admin.execute(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}' CREATEDB")

    def close(self) -> None:
        self.admin.execute(f"DROP ROLE IF EXISTS {ROLE}")
        self.admin.close()

    def user_dsn(self, database: str = "postgres", password: str = PASSWORD, port: int | None = None) -> str:
        return f"postgresql://{ROLE}:{password}@127.0.0.1:{port or 5432}/{database or 'postgres'}"

    def create(self, name: str) -> None:
        self.admin.execute(f"CREATE DATABASE {name} OWNER {ROLE}")

    def drop(self, name: str) -> None:
        self.admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def _in(self, name: str) -> psycopg.Connection[tuple[Any, ...]]:
        return psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{name}", autocommit=True)

    def fill_foreign(self, name: str) -> None:
        with self._in(name) as conn:
            conn.execute("CREATE TABLE orders (id int PRIMARY KEY, note text NOT NULL)")
            conn.execute("INSERT INTO orders VALUES (1, 'keep me'), (2, 'me too')")
            conn.execute("CREATE TABLE users (id text PRIMARY KEY)")  # same name as a harness table
            conn.execute("INSERT INTO users VALUES ('somebody')")

    def state(self, name: str) -> Any:
        with self._in(name) as conn:
            relations = conn.execute(
                "SELECT n.nspname, c.relname, c.relkind, c.relfilenode FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
                " ORDER BY 1, 2").fetchall()
            rows = {f"{s}.{r}": conn.execute(f'SELECT * FROM "{s}"."{r}" ORDER BY 1'.encode()).fetchall()
                    for s, r, kind, _ in relations if kind == "r"}
        return relations, rows

    def exists(self, name: str) -> bool:
        return self.admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


class MariaDB(Server):
    engine = "mysql"

    def __init__(self) -> None:
        self.admin = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="", ssl_disabled=True,
                                     autocommit=True, charset="utf8mb4")
        self._sql(f"DROP USER IF EXISTS '{ROLE}'@'%'")
        self._sql(f"CREATE USER '{ROLE}'@'%' IDENTIFIED BY '{PASSWORD}'")
        self._sql(f"GRANT ALL PRIVILEGES ON `contract\\_%`.* TO '{ROLE}'@'%'")

    def _sql(self, statement: str, database: str | None = None) -> list[tuple[Any, ...]]:
        with self.admin.cursor() as cur:
            if database:
                cur.execute(f"USE `{database}`")
            cur.execute(statement)
            return list(cur.fetchall())

    def close(self) -> None:
        self._sql(f"DROP USER IF EXISTS '{ROLE}'@'%'")
        self.admin.close()

    def user_dsn(self, database: str = "", password: str = PASSWORD, port: int | None = None) -> str:
        return f"mysql://{ROLE}:{password}@127.0.0.1:{port or 3306}/{database}"

    def create(self, name: str) -> None:
        self._sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")

    def drop(self, name: str) -> None:
        self._sql(f"DROP DATABASE IF EXISTS `{name}`")

    def fill_foreign(self, name: str) -> None:
        self._sql("CREATE TABLE orders (id INT PRIMARY KEY, note VARCHAR(50) NOT NULL)", name)
        self._sql("INSERT INTO orders VALUES (1, 'keep me'), (2, 'me too')", name)
        self._sql("CREATE TABLE users (id VARCHAR(36) PRIMARY KEY)", name)
        self._sql("INSERT INTO users VALUES ('somebody')", name)

    def state(self, name: str) -> Any:
        tables = self._sql("SHOW FULL TABLES", name)
        ddl = {t: self._sql(f"SHOW CREATE TABLE `{t}`", name) for t, _ in tables}
        rows = {t: sorted(self._sql(f"SELECT * FROM `{t}`", name)) for t, _ in tables}
        return sorted(tables), ddl, rows

    def exists(self, name: str) -> bool:
        return bool(self._sql(f"SHOW DATABASES LIKE '{name}'"))


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, Server]]:
    made: dict[str, Any] = {}
    try:
        made["postgres"] = Postgres()
        made["mysql"] = MariaDB()
        yield made
    finally:
        for server in made.values():
            server.close()


@pytest.fixture(params=["postgres", "mysql"])
def server(request: pytest.FixtureRequest, servers: dict[str, Server]) -> Server:
    return servers[request.param]


@pytest.fixture
def scratch(server: Server) -> Iterator[str]:
    name = f"contract_safety_{secrets.token_hex(4)}"
    server.create(name)
    yield name
    server.drop(name)


def existing(server: Server, database: str, **kw: Any) -> HarnessConfig:
    return HarnessConfig(dsns={server.engine: server.user_dsn(database)}, providers={"*": "dsn"},
                         dsn_database="existing", **kw)


def start(engine: Engine, config: HarnessConfig, stack: ExitStack) -> Any:
    return provision(engine, "dsn", config, stack)


# -- ownership --------------------------------------------------------------------


def test_a_database_holding_foreign_tables_is_refused_and_left_untouched(server: Server, scratch: str) -> None:
    server.fill_foreign(scratch)
    before = server.state(scratch)
    engine = load_engine(server.engine)
    with ExitStack() as stack, pytest.raises(ProvisionRefused) as refused:
        start(engine, existing(server, scratch), stack)
    message = str(refused.value)
    assert "outside the canonical layout (orders)" in message
    assert PASSWORD not in message
    assert server.state(scratch) == before
    with pytest.raises(RuntimeError):
        engine.reset()  # never established as the harness's own
    assert server.state(scratch) == before


def test_a_refused_database_stops_the_engine_instead_of_falling_back(server: Server, scratch: str) -> None:
    server.fill_foreign(scratch)
    before = server.state(scratch)
    config = HarnessConfig(dsns={server.engine: server.user_dsn(scratch)}, dsn_database="existing")
    session = EngineSession(config)
    try:
        with pytest.raises(EngineUnavailable, match="refused") as info:
            session.get(server.engine)
    finally:
        session.close()
    assert "local" not in session.started
    assert PASSWORD not in str(info.value)
    assert server.state(scratch) == before


def test_an_empty_database_is_marked_then_recognised_and_never_dropped(server: Server, scratch: str) -> None:
    for _ in range(2):  # the second start finds the marker and adds nothing
        engine = load_engine(server.engine)
        with ExitStack() as stack:
            endpoint = start(engine, existing(server, scratch), stack)
            assert endpoint.database == scratch
            adapter = engine.make_adapter(endpoint)
            with closing(adapter):
                adapter.create_client(payload={}, id="c")
            engine.reset()
            assert all(rows == [] for rows in engine.snapshot().values())
        relations_and_rows = json.dumps(server.state(scratch), default=str)
        assert MARKER_TABLE in relations_and_rows
        assert relations_and_rows.count("initialised by the adapter-contracts harness") == 1
    assert server.exists(scratch)


def _sql_in(server: Server, database: str, *statements: str) -> None:
    if isinstance(server, MariaDB):
        for statement in statements:
            server._sql(statement, database)
        return
    with psycopg.connect(server.user_dsn(database), autocommit=True) as conn:  # tables the user owns
        for statement in statements:
            conn.execute(statement.encode())


def test_the_override_flag_admits_only_canonical_tables_without_a_marker(server: Server, scratch: str) -> None:
    # The canonical tables with a row, and no marker: an earlier deployment's, say.
    engine = load_engine(server.engine)
    with ExitStack() as stack:
        endpoint = start(engine, existing(server, scratch), stack)
        with closing(engine.make_adapter(endpoint)) as adapter:
            adapter.create_client(payload={}, id="c1")
    _sql_in(server, scratch, f"DROP TABLE {MARKER_TABLE}")
    before = server.state(scratch)
    with ExitStack() as stack, pytest.raises(ProvisionRefused, match="--allow-wipe-foreign-database"):
        start(load_engine(server.engine), existing(server, scratch), stack)
    assert server.state(scratch) == before
    engine = load_engine(server.engine)
    with ExitStack() as stack:
        start(engine, existing(server, scratch, allow_wipe=frozenset({scratch})), stack)
        engine.reset()
    assert "c1" not in json.dumps(server.state(scratch), default=str)
    # Named or not, a table outside the canonical layout keeps the harness out.
    _sql_in(server, scratch, "CREATE TABLE orders (id INT PRIMARY KEY)", "INSERT INTO orders VALUES (7)")
    before = server.state(scratch)
    with ExitStack() as stack, pytest.raises(ProvisionRefused, match=r"outside the canonical layout \(orders\)"):
        start(load_engine(server.engine), existing(server, scratch, allow_wipe=frozenset({scratch})), stack)
    assert server.state(scratch) == before


@pytest.mark.parametrize("marker", ["empty", "foreign-row", "no-note-column"])
def test_a_forged_marker_proves_nothing(server: Server, scratch: str, marker: str) -> None:
    """Issue 11: an empty marker table beside a real users row and an orders table that
    cascades from it got both rows deleted.  Now it is refused and both survive."""
    columns = "(id INT)" if marker == "no-note-column" else "(note VARCHAR(255) NOT NULL)"
    statements = [f"CREATE TABLE {MARKER_TABLE} {columns}"]
    if marker == "foreign-row":
        statements.append(f"INSERT INTO {MARKER_TABLE} (note) VALUES ('mine, not the harness''s')")
    statements += [
        "CREATE TABLE users (id VARCHAR(36) PRIMARY KEY)", "INSERT INTO users VALUES ('real-user')",
        "CREATE TABLE orders (id INT PRIMARY KEY, user_id VARCHAR(36) NOT NULL,"
        " FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE)",
        "INSERT INTO orders VALUES (1, 'real-user')",
    ]
    _sql_in(server, scratch, *statements)
    before = server.state(scratch)
    engine = load_engine(server.engine)
    with ExitStack() as stack, pytest.raises(ProvisionRefused) as refused:
        start(engine, existing(server, scratch, allow_wipe=frozenset({scratch})), stack)
    assert "marker" in str(refused.value)
    with pytest.raises(RuntimeError):
        engine.reset()
    after = server.state(scratch)
    assert after == before
    assert "real-user" in json.dumps(after, default=str)


def test_a_genuine_marker_beside_a_foreign_table_is_refused(server: Server, scratch: str) -> None:
    engine = load_engine(server.engine)
    with ExitStack() as stack:
        start(engine, existing(server, scratch), stack)  # empty: the harness marks it
    _sql_in(server, scratch, "CREATE TABLE orders (id INT PRIMARY KEY)", "INSERT INTO orders VALUES (7)")
    before = server.state(scratch)
    with ExitStack() as stack, pytest.raises(ProvisionRefused, match=r"outside the canonical layout \(orders\)"):
        start(load_engine(server.engine), existing(server, scratch), stack)
    assert server.state(scratch) == before


def test_the_default_mode_still_works_in_a_database_of_its_own(server: Server) -> None:
    engine = load_engine(server.engine)
    config = HarnessConfig(dsns={server.engine: server.user_dsn()}, providers={"*": "dsn"})
    with ExitStack() as stack:
        endpoint = start(engine, config, stack)
        assert endpoint.database.startswith("contract_")
        assert server.exists(endpoint.database)
        engine.reset()
    assert not server.exists(endpoint.database)


def test_mongo_claims_only_an_empty_or_marked_database() -> None:
    mongomock = pytest.importorskip("mongomock")
    from adapter_contracts.harness.engines.mongo import MongoEngine
    from adapter_contracts.harness.engines.mongo.provisioning import claim

    client = mongomock.MongoClient("mongodb://127.0.0.1/appdb")
    client["appdb"]["orders"].insert_one({"keep": "me"})
    with pytest.raises(ProvisionRefused, match="orders"):
        claim(client, MongoEngine(), HarnessConfig(dsn_database="existing"))
    assert client["appdb"].list_collection_names() == ["orders"]
    client["appdb"].drop_collection("orders")
    assert claim(client, MongoEngine(), HarnessConfig(dsn_database="existing")).name == "appdb"
    assert client["appdb"][MARKER_TABLE].count_documents({}) == 1
    claim(client, MongoEngine(), HarnessConfig(dsn_database="existing"))
    assert client["appdb"][MARKER_TABLE].count_documents({}) == 1


# -- no password in any message ---------------------------------------------------


def test_scrub_masks_every_form_of_the_password() -> None:
    dsns = ["postgresql://u:p%40ss@h/db", "host=h password='a b' user=u", "mysql://r:xyz123@h:3306/d"]
    text = "p%40ss p@ss 'a b' a b xyz123"
    assert scrub(text, dsns) == "*** *** '***' *** ***"
    assert dsn_secrets("mysql://root@h/db") == []
    assert PASSWORD not in redact_dsn(f"host=h password={PASSWORD}")


@pytest.mark.parametrize("broken", ["refused", "wrong password", "malformed"])
def test_provisioning_errors_never_show_the_password(server: Server, broken: str) -> None:
    if broken == "refused":
        dsn = server.user_dsn(port=1)
    elif broken == "wrong password":
        dsn = server.user_dsn(password=PASSWORD + "-wrong")  # trust auth on the service Postgres accepts it
    else:
        dsn = server.user_dsn().replace("127.0.0.1", f"127.0.0.1 password={PASSWORD} x")
    config = HarnessConfig(dsns={server.engine: dsn}, providers={"*": "dsn"}, startup_timeout=1)
    engine = load_engine(server.engine)
    try:
        with ExitStack() as stack:
            start(engine, config, stack)
    except ProvisionUnavailable as exc:
        printed = "".join(traceback.format_exception(exc))
        assert PASSWORD not in printed
    session = EngineSession(config)
    printed = ""
    try:
        session.get(server.engine)
    except EngineUnavailable as exc:
        printed = "".join(traceback.format_exception(exc))
    finally:
        session.close()
    assert PASSWORD not in printed


FAILING_TEST = '''
def test_prints_everything_it_has(engine, adapter, second_adapter):
    raise AssertionError(repr((engine, engine.endpoint, adapter, second_adapter)))


def test_passes(adapter):
    adapter.create_client(payload={}, id="c")
'''


def _run_pytest(tmp_path: Path, *args: str) -> str:
    (tmp_path / "test_leak.py").write_text(FAILING_TEST)
    env = child_env(without=(), PYTHONPATH=str(REPO))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "adapter_contracts.harness.pytest_harness",
         "-v", "--showlocals", "--tb=long", "-W", "ignore::pytest.PytestAssertRewriteWarning", *args,
         str(tmp_path / "test_leak.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    output = done.stdout + done.stderr
    for report in tmp_path.glob("report.*"):
        output += report.read_text()
    return output


def test_headers_test_ids_reports_and_tracebacks_never_show_the_password(
    servers: dict[str, Server], tmp_path: Path
) -> None:
    pg, my = servers["postgres"], servers["mysql"]
    output = _run_pytest(tmp_path, "--engine", "postgres", "--engine", "mysql", "--provider", "dsn",
                         "--postgres-dsn", pg.user_dsn(), "--mysql-dsn", my.user_dsn(),
                         "--conformance-report", str(tmp_path / "report"))
    assert "engine postgres: PostgreSQL" in output, output[-3000:]
    assert "engine mysql: MariaDB" in output, output[-3000:]
    assert "test_passes[postgres] PASSED" in output
    assert "test_prints_everything_it_has[mysql] FAILED" in output
    assert PASSWORD not in output


def test_skip_reasons_and_reports_of_unreachable_servers_never_show_the_password(
    servers: dict[str, Server], tmp_path: Path
) -> None:
    pg, my = servers["postgres"], servers["mysql"]
    output = _run_pytest(tmp_path, "--engine", "postgres", "--engine", "mysql", "--provider", "dsn",
                         "--startup-timeout", "1", "--postgres-dsn", pg.user_dsn(port=1),
                         "--mysql-dsn", my.user_dsn(port=1), "--conformance-report", str(tmp_path / "report"))
    assert "engine postgres: SKIPPED" in output, output[-3000:]
    assert "engine mysql: SKIPPED" in output, output[-3000:]
    assert PASSWORD not in output
