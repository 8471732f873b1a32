"""Self-test of the schema drift check: every kind of drift shows up as a readable line.

Each engine gets a scratch database that the test creates and drops itself
(``contract_drift_<hex>`` on the machine's PostgreSQL / MariaDB services, a
temporary SQLite file, a mongomock client).  The adapter's schema is created,
found equal to its declaration, then changed one step at a time; after each
step the diff must be exactly the expected lines.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from adapter_contracts.harness.engines.base import Endpoint
from adapter_contracts.harness.engines.mysql.introspection import canonical_mysql_collation
from adapter_contracts.harness.schema import declared_schema, diff, introspect, normalise, problems
from adapter_contracts.harness.schema.layout import canonical_layout, render_document, undeclared_collations
from adapter_contracts.harness.schema.model import canonical_type
from tests.inner import child_env

PG_SERVER = os.environ.get("CONTRACT_DRIFT_PG_SERVER", "postgresql://postgres@127.0.0.1:5432/postgres")
MYSQL_SERVER = dict(host="127.0.0.1", port=3306, user="root", password="")
SECRET = "s3cr3t-never-printed"
REPO = Path(__file__).resolve().parents[1]

Step = tuple[Callable[[], object], Sequence[str], Sequence[str]]


def _scratch_name() -> str:
    return f"contract_drift_{uuid.uuid4().hex[:12]}"


def _walk(read: Callable[[], dict[str, Any]], expected: dict[str, Any], steps: Sequence[Step]) -> None:
    """Apply each step; the diff must gain exactly its added lines and lose exactly its removed ones."""
    lines: list[str] = []
    assert diff(expected, read()) == [], "the freshly created schema already drifts"
    for number, (apply, added, removed) in enumerate(steps, 1):
        apply()
        lines = [line for line in lines if line not in removed] + list(added)
        found = diff(expected, read())
        assert sorted(found) == sorted(lines), f"after step {number}: expected {lines}, found {found}"


# -- the model alone ---------------------------------------------------------------


@pytest.mark.parametrize(("spelling", "canonical"), [
    ("int4", "integer"), ("INT(11)", "integer"), ("bigint(20)", "bigint"), ("bigint unsigned", "bigint unsigned"),
    ("tinyint(1)", "boolean"), ("bool", "boolean"), ("tinyint(4)", "tinyint"),
    ("DECIMAL(18, 4)", "numeric(18,4)"), ("numeric", "numeric"), ("character varying(36)", "varchar(36)"),
    ("timestamp with time zone", "timestamptz"), ("timestamp(3) with time zone", "timestamptz(3)"),
    ("DATETIME(3)", "datetime(3)"), ("timestamp", "timestamp"), ("jsonb", "jsonb"), ("TEXT", "text"),
    ("double precision", "double"),
])
def test_type_spellings_that_mean_the_same_are_one(spelling: str, canonical: str) -> None:
    assert canonical_type(spelling) == canonical


def test_mysql_collations_reduce_to_a_class_that_keeps_pad_and_case() -> None:
    assert canonical_mysql_collation("utf8mb4_nopad_bin") == canonical_mysql_collation("utf8mb4_0900_bin")
    assert canonical_mysql_collation("utf8mb4_bin") == "utf8mb4:binary-pad"
    assert canonical_mysql_collation("utf8mb4_general_ci") == "utf8mb4_general_ci"


def test_every_built_in_declaration_is_canonical_and_round_trips() -> None:
    for engine in ("postgres", "mysql", "mongo", "sqlite"):
        document = declared_schema(engine)
        assert problems(document) == []
        assert diff(document, document) == []
        assert normalise(normalise(document)) == normalise(document)


def test_diff_lines_name_the_table_column_and_index() -> None:
    expected = {"format": 1, "engine": "x", "tables": {"t": {
        "columns": {"id": {"type": "text", "nullable": False, "collation": "C"},
                    "n": {"type": "numeric(18,4)", "nullable": False}},
        "primary_key": ["id"], "indexes": [{"columns": ["n", "id"], "unique": False}], "foreign_keys": []}}}
    actual = {"format": 1, "engine": "x", "tables": {"t": {
        "columns": {"id": {"type": "TEXT", "nullable": True, "collation": "en-US-x-icu"},
                    "n": {"type": "NUMERIC", "nullable": False}, "extra": {"type": "int", "nullable": True}},
        "primary_key": [], "indexes": [], "foreign_keys": []}, "contract_harness_marker": {"columns": {}}}}
    assert diff(expected, actual) == [
        "t.id: nullable expected NO, found YES",
        "t.id: collation expected C, found en-US-x-icu",
        "t.n: type expected numeric(18,4), found numeric",
        "t.extra: unexpected column",
        "primary key t: expected (id), found none",
        "index t(n, id): missing",
    ]


def test_layout_diff_allows_only_extra_tables_and_non_unique_indexes() -> None:
    layout = {"format": 1, "engine": "x", "tables": {"t": {
        "columns": {"id": {"type": "text", "nullable": False, "collation": "C"}},
        "primary_key": ["id"], "indexes": [{"columns": ["id"], "unique": False, "name": "t_id"}],
        "foreign_keys": []}}}
    allowed = json.loads(json.dumps(layout))
    allowed["tables"]["t"]["indexes"] = [{"columns": ["id"], "unique": False, "name": "other_name"},
                                         {"columns": ["id", "id"], "unique": False}]
    allowed["tables"]["mine"] = {"columns": {"k": {"type": "text", "nullable": True}},
                                 "primary_key": [], "indexes": [], "foreign_keys": []}
    assert diff(layout, allowed, layout=True) == []
    default_collation = json.loads(json.dumps(layout))
    del default_collation["tables"]["t"]["columns"]["id"]["collation"]
    default_collation["tables"]["t"]["indexes"].append({"columns": ["id"], "unique": True})
    assert diff(layout, default_collation, layout=True) == [
        "t.id: collation expected C, found none",
        "index t(id) unique: unexpected",
    ]


def test_a_declaration_without_key_collations_is_reported() -> None:
    declared = declared_schema("postgres")
    del declared["tables"]["users"]["columns"]["id"]["collation"]
    assert undeclared_collations("postgres", declared) == [
        "users.id: a key column declared without its collation (the postgres layout requires C)"]
    for engine in ("postgres", "mysql", "sqlite"):
        assert undeclared_collations(engine, declared_schema(engine)) == []


def test_canonical_layout_is_dumped_and_its_docs_page_is_current() -> None:
    for engine in ("postgres", "mysql", "mongo", "sqlite"):
        dumped = _cli("--engine", engine, "--dump")
        assert dumped.returncode == 0, dumped.stderr
        assert json.loads(dumped.stdout) == canonical_layout(engine)
    page = _cli("--dump", "--markdown")
    assert page.returncode == 0, page.stderr
    assert page.stdout == render_document()
    assert (REPO / "docs" / "canonical-layout.md").read_text(encoding="utf-8") == page.stdout, (
        "docs/canonical-layout.md is stale: "
        "python -m adapter_contracts.harness.schema --dump --markdown > docs/canonical-layout.md")


def test_malformed_declarations_are_reported() -> None:
    assert problems([]) != []
    assert problems({"format": 1, "engine": "x"}) == ["exactly one of 'tables' (SQL) or 'collections' (MongoDB) "
                                                      "is required"]
    assert problems({"format": 1, "engine": "x", "tables": {"t": {"columns": {"a": {"type": "text"}}}}}) == [
        "t.a: needs 'type' and 'nullable'"]


# -- PostgreSQL --------------------------------------------------------------------


@pytest.fixture
def pg_scratch() -> Iterator[str]:
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(PG_SERVER, autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        pytest.skip(f"no PostgreSQL service at {PG_SERVER}: {exc}")
    name = _scratch_name()
    with admin:
        try:  # a locale-aware default, like the harness's databases: "C" must be declared, not inherited
            admin.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C' "
                          "LOCALE_PROVIDER icu ICU_LOCALE 'en-US'")
        except psycopg.Error:
            admin.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'")
        try:
            yield PG_SERVER.rsplit("/", 1)[0] + f"/{name}"
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _pg_endpoint(dsn: str) -> Endpoint:
    return Endpoint(engine="postgres", provider="dsn", dsn=dsn, database=dsn.rsplit("/", 1)[1],
                    server_version="?", driver="?")


def _pg_run(dsn: str) -> Callable[[str], Callable[[], object]]:
    import psycopg

    def step(statement: str) -> Callable[[], object]:
        def apply() -> None:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(statement.encode())
        return apply
    return step


def test_postgres_drift_is_reported_line_by_line(pg_scratch: str) -> None:
    from adapter_contracts.adapters.postgres import PostgresAdapter

    with PostgresAdapter(pg_scratch) as adapter:
        adapter.create_schema()
        expected = adapter.expected_schema()
    run = _pg_run(pg_scratch)
    import psycopg

    with psycopg.connect(pg_scratch) as conn:
        icu = conn.execute("SELECT 1 FROM pg_collation WHERE collname = 'en-US-x-icu'").fetchone() is not None
    other = "en-US-x-icu" if icu else "ucs_basic"
    _walk(lambda: introspect(_pg_endpoint(pg_scratch)), expected, [
        (run("ALTER TABLE client_billing ALTER COLUMN cost TYPE numeric"),
         ["client_billing.cost: type expected numeric(18,4), found numeric"], []),
        (run("ALTER TABLE clients ALTER COLUMN payload TYPE json"),
         ["clients.payload: type expected jsonb, found json"], []),
        (run("DROP INDEX idx_campaigns_user_created"), ["index campaigns(user_id, created_at, id): missing"], []),
        (run(f'ALTER TABLE users ALTER COLUMN email TYPE text COLLATE "{other}"'),
         [f"users.email: collation expected C, found {other}"], []),
        (run("ALTER TABLE client_billing ALTER COLUMN client_id DROP NOT NULL"),
         ["client_billing.client_id: nullable expected NO, found YES"], []),
        (run("ALTER TABLE client_billing DROP CONSTRAINT client_billing_admin_id_fkey, "
             "ADD FOREIGN KEY (admin_id) REFERENCES users(id) ON DELETE CASCADE"),
         ["foreign key client_billing(admin_id) -> users(id): on delete expected SET NULL, found CASCADE"], []),
        (run("ALTER TABLE users DROP CONSTRAINT users_email_key; CREATE INDEX ON users (email)"),
         ["index users(email): unique expected YES, found NO"], []),
        (run("ALTER TABLE campaigns ADD COLUMN note text"), ["campaigns.note: unexpected column"], []),
        (run("CREATE TABLE contract_harness_marker (x int); CREATE TABLE stray (x int)"),
         ["table stray: unexpected"], []),
        (run("ALTER TABLE client_oauth DROP CONSTRAINT client_oauth_pkey"),
         ["primary key client_oauth: expected (client_id, platform), found none"], []),
    ])


def test_postgres_introspection_session_refuses_writes(pg_scratch: str) -> None:
    import psycopg

    from adapter_contracts.harness.engines.postgres.introspection import connect_read_only

    with connect_read_only(pg_scratch) as conn, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
        conn.execute("CREATE TABLE nope (x int)")


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "adapter_contracts.harness.schema", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=60, env=child_env(without=(), **(env or {})), check=False)


def _pg_fingerprint(dsn: str) -> Any:
    """Catalog entries (a rewrite changes relfilenode), columns, and every row: what a write would change."""
    import psycopg

    with psycopg.connect(dsn) as conn:
        catalog = conn.execute("SELECT relname, relkind, relfilenode FROM pg_class c JOIN pg_namespace n "
                               "ON n.oid = c.relnamespace WHERE n.nspname = 'public' ORDER BY 1").fetchall()
        columns = conn.execute("SELECT table_name, column_name, data_type, is_nullable, collation_name "
                               "FROM information_schema.columns WHERE table_schema = 'public' "
                               "ORDER BY 1, 2").fetchall()
        rows = {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1".encode()).fetchall()
                for (t, kind, _) in catalog if kind == "r"}
    return catalog, columns, json.dumps(rows, default=str)


def test_cli_is_read_only_exits_by_drift_and_never_prints_the_password(pg_scratch: str) -> None:
    from datetime import UTC, datetime

    from adapter_contracts.adapters.postgres import PostgresAdapter

    with PostgresAdapter(pg_scratch) as adapter:
        adapter.create_schema()
        user = adapter.create_user(email="a@example.com", password_hash="h", name="Ann", id="u1")
        adapter.create_campaign(user_id=user.id, payload={"k": 1}, id="c1",
                                created_at=datetime(2024, 1, 1, tzinfo=UTC))
    # Trust authentication: the server never asks for the password, so any will do.
    dsn = pg_scratch.replace("postgres@", f"postgres:{SECRET}@", 1)
    before = _pg_fingerprint(pg_scratch)
    clean = _cli("--engine", "postgres", "--dsn", dsn)
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout.startswith("no drift: postgres postgresql://postgres:***@")
    _pg_run(pg_scratch)("ALTER TABLE users ALTER COLUMN name SET NOT NULL")()
    drifted = _pg_fingerprint(pg_scratch)
    assert drifted != before  # the fingerprint does see a change
    text = _cli("--engine", "postgres", "--dsn", dsn)
    as_json = _cli("--engine", "postgres", "--json", env={"CONTRACT_POSTGRES_DSN": dsn})
    assert _pg_fingerprint(pg_scratch) == drifted, "the CLI changed the database"
    assert (text.returncode, as_json.returncode) == (1, 1), (text.stderr, as_json.stderr)
    assert "  users.name: nullable expected YES, found NO" in text.stdout.splitlines()
    report = json.loads(as_json.stdout)
    assert report["equal"] is False
    assert report["drift"] == ["users.name: nullable expected YES, found NO"]
    unreachable = _cli("--engine", "postgres", "--dsn", f"postgresql://postgres:{SECRET}@127.0.0.1:1/x")
    assert unreachable.returncode == 2
    for done in (clean, text, as_json, unreachable):
        assert SECRET not in done.stdout + done.stderr


# -- MySQL / MariaDB ---------------------------------------------------------------


@pytest.fixture
def mysql_scratch() -> Iterator[str]:
    pymysql = pytest.importorskip("pymysql")
    try:
        admin = pymysql.connect(**MYSQL_SERVER, ssl_disabled=True, autocommit=True, connect_timeout=3)
    except pymysql.err.Error as exc:
        pytest.skip(f"no MySQL/MariaDB service at 127.0.0.1:3306: {exc}")
    name = _scratch_name()
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
        try:
            yield f"mysql://root@127.0.0.1:3306/{name}"
        finally:
            with admin.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS {name}")
    finally:
        admin.close()


def _mysql_run(dsn: str) -> Callable[..., Callable[[], object]]:
    import pymysql

    def step(*statements: str) -> Callable[[], object]:
        def apply() -> None:
            conn = pymysql.connect(**MYSQL_SERVER, database=dsn.rsplit("/", 1)[1], ssl_disabled=True, autocommit=True)
            try:
                with conn.cursor() as cur:
                    for statement in statements:
                        cur.execute(statement)
            finally:
                conn.close()
        return apply
    return step


def test_mysql_drift_is_reported_line_by_line(mysql_scratch: str) -> None:
    from adapter_contracts.adapters.mysql import MySQLAdapter

    with MySQLAdapter.from_url(mysql_scratch) as adapter:
        adapter.create_schema()
        expected = adapter.expected_schema()
    run = _mysql_run(mysql_scratch)
    endpoint = Endpoint(engine="mysql", provider="dsn", dsn=mysql_scratch, database=mysql_scratch.rsplit("/", 1)[1],
                        server_version="?", driver="?")
    exact = "utf8mb4:binary-nopad"
    _walk(lambda: introspect(endpoint), expected, [
        (run("ALTER TABLE campaigns MODIFY created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP"),
         ["campaigns.created_at: type expected datetime(3), found timestamp"], []),
        (run("ALTER TABLE campaigns DROP INDEX idx_campaigns_user_created"),
         ["index campaigns(user_id, created_at, id): missing"], []),
        (run("ALTER TABLE users MODIFY email VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL"),
         [f"users.email: collation expected {exact}, found utf8mb4_general_ci"], []),
        # PAD SPACE: 'a' = 'a ' under utf8mb4_bin, which the declared class rules out.
        (run("ALTER TABLE clients MODIFY id VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL"),
         [f"clients.id: collation expected {exact}, found utf8mb4:binary-pad"], []),
        (run("ALTER TABLE client_billing MODIFY client_id VARCHAR(64) NULL"),
         ["client_billing.client_id: nullable expected NO, found YES"], []),
        (run("ALTER TABLE user_workspace MODIFY workspace TEXT NOT NULL"),
         ["user_workspace.workspace: type expected json, found text"], []),
        (run("ALTER TABLE client_billing MODIFY cost DECIMAL(20, 6) NOT NULL"),
         ["client_billing.cost: type expected numeric(18,4), found numeric(20,6)"], []),
        (run("ALTER TABLE users DROP INDEX email, ADD INDEX (email)"),
         ["index users(email): unique expected YES, found NO"], []),
        (run("CREATE TABLE contract_harness_marker (x INT)", "CREATE TABLE stray (x INT)"),
         ["table stray: unexpected"], []),
    ])


def test_mysql_introspection_runs_in_a_read_only_transaction(
    mysql_scratch: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pymysql

    from adapter_contracts.harness.engines.mysql import introspection as module

    refused: list[int] = []

    def write_instead(cur: Any, schema: str) -> dict[str, Any]:
        try:
            cur.execute(f"INSERT INTO {schema}.target VALUES (1)")
        except pymysql.err.Error as exc:
            refused.append(exc.args[0])
        return {}

    _mysql_run(mysql_scratch)("CREATE TABLE target (x INT)")()
    monkeypatch.setattr(module, "_read", write_instead)
    module.introspect_dsn(mysql_scratch)
    assert refused == [1792]  # "Cannot execute statement in a READ ONLY transaction"


def test_mysql_cli_errors_never_print_the_password(mysql_scratch: str) -> None:
    dsn = mysql_scratch.replace("root@", f"root:{SECRET}@", 1)
    done = _cli("--engine", "mysql", "--dsn", dsn)
    assert done.returncode == 2
    assert "root:***@" in done.stderr
    assert SECRET not in done.stdout + done.stderr


# -- SQLite ------------------------------------------------------------------------


def _sqlite_rewrite(path: str, table: str, old: str, new: str) -> Callable[[], object]:
    """Recreate ``table`` with ``old`` replaced by ``new`` in its CREATE statement, indexes included."""
    def apply() -> None:
        conn = sqlite3.connect(path, isolation_level=None)  # foreign keys off: nothing cascades
        try:
            create = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                                  (table,)).fetchone()[0]
            assert old in create, (old, create)
            indexes = [sql for (sql,) in conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,))]
            conn.execute(f"DROP TABLE {table}")
            conn.execute(create.replace(old, new))
            for sql in indexes:
                conn.execute(sql)
        finally:
            conn.close()
    return apply


def _sqlite_exec(path: str, statement: str) -> Callable[[], object]:
    def apply() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.executescript(statement)
        finally:
            conn.close()
    return apply


def test_sqlite_drift_is_reported_line_by_line(tmp_path: Path) -> None:
    from adapter_contracts.examples.sqlite_adapter import SQLiteAdapter

    path = str(tmp_path / "drift.db")
    with SQLiteAdapter(path) as adapter:
        adapter.create_schema()
        expected = adapter.expected_schema()
    endpoint = Endpoint(engine="sqlite", provider="file", dsn=f"sqlite:///{path}", database=path,
                        server_version="?", driver="?", extra={"path": path})
    _walk(lambda: introspect(endpoint), expected, [
        (_sqlite_exec(path, "DROP INDEX campaigns_user_created"),
         ["index campaigns(user_id, created_at, id): missing"], []),
        (_sqlite_rewrite(path, "users", "email TEXT NOT NULL", "email TEXT COLLATE NOCASE NOT NULL"),
         ["users.email: collation expected BINARY, found NOCASE"], []),
        (_sqlite_rewrite(path, "client_billing", "client_id TEXT NOT NULL", "client_id TEXT"),
         ["client_billing.client_id: nullable expected NO, found YES"], []),
        (_sqlite_rewrite(path, "client_billing", "cost_units INTEGER", "cost_units REAL"),
         ["client_billing.cost_units: type expected integer, found real"], []),
        (_sqlite_rewrite(path, "user_workspace", "CHECK (json_valid(workspace))", ""),
         ["user_workspace.workspace: type expected json, found text"], []),
        (_sqlite_rewrite(path, "client_billing", "ON DELETE SET NULL", "ON DELETE CASCADE"),
         ["foreign key client_billing(admin_id) -> users(id): on delete expected SET NULL, found CASCADE"], []),
        (_sqlite_rewrite(path, "client_billing", "AUTOINCREMENT", ""),
         ["client_billing.id: auto_increment expected YES, found NO"], []),
        (_sqlite_exec(path, "CREATE UNIQUE INDEX extra ON clients (payload) WHERE payload <> '{}'"),
         ["index clients(payload) unique: unexpected"], []),
    ])


def test_sqlite_introspection_opens_read_only(tmp_path: Path) -> None:
    from adapter_contracts.harness.engines.sqlite.introspection import connect_read_only

    path = tmp_path / "ro.db"
    sqlite3.connect(path).close()
    conn = connect_read_only(str(path))
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("CREATE TABLE nope (x)")
    finally:
        conn.close()
    with pytest.raises(sqlite3.OperationalError):
        connect_read_only(str(tmp_path / "absent.db")).execute("SELECT 1")
    assert not (tmp_path / "absent.db").exists()


def test_sqlite_cli_compares_a_file_and_dumps_its_schema(tmp_path: Path) -> None:
    from adapter_contracts.examples.sqlite_adapter import SQLiteAdapter

    path = tmp_path / "cli.db"
    with SQLiteAdapter(str(path)) as adapter:
        adapter.create_schema()
    before = path.read_bytes()
    assert _cli("--engine", "sqlite", "--dsn", str(path)).returncode == 0
    dumped = _cli("--engine", "sqlite", "--dsn", str(path), "--dump")
    assert dumped.returncode == 0
    assert diff(declared_schema("sqlite"), json.loads(dumped.stdout)) == []
    assert path.read_bytes() == before


# -- MongoDB (mongomock) --------------------------------------------------------------


def test_mongo_drift_is_reported_line_by_line() -> None:
    mongomock = pytest.importorskip("mongomock")
    from adapter_contracts.adapters.mongo import MongoAdapter

    client = mongomock.MongoClient(tz_aware=True)
    adapter = MongoAdapter(client, "drift")
    adapter.create_schema()
    expected = adapter.expected_schema()
    db = client["drift"]
    endpoint = Endpoint(engine="mongomock", provider="mongomock", dsn="mongomock://", database="drift",
                        server_version="?", driver="?", extra={"client": client})

    def run(work: Callable[[], object]) -> Callable[[], object]:
        return work

    _walk(lambda: introspect(endpoint), expected, [
        (run(lambda: db["user_setup"].drop_index("userId_1")), ["index user_setup{userId: 1} unique: missing"], []),
        (run(lambda: db["user_setup"].create_index("userId")),
         ["index user_setup{userId: 1}: unique expected YES, found NO"],
         ["index user_setup{userId: 1} unique: missing"]),
        (run(lambda: db["campaigns"].drop_index("userId_1_createdAt_1")),
         ["index campaigns{userId: 1, createdAt: 1}: missing"], []),
        (run(lambda: db["users"].create_index([("name", -1)])), ["index users{name: -1}: unexpected"], []),
        (run(lambda: db["stray"].insert_one({"x": 1})), ["collection stray: unexpected"], []),
        (run(lambda: db["counters"].insert_one({"_id": "client_billing", "seq": 1})), [], []),
    ])
