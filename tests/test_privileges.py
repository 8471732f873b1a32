"""Privileges named: a user who may not create databases, a read-only role and a SELECT-only user get one
line naming the missing privilege and the two ways out (a grant, or ``--dsn-database existing``), never an
INTERNALERROR, and cleanup never tries to drop what it did not create.

Each test makes its user on the service server under a unique name and drops it in a finally."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import psycopg
import pymysql
import pytest

from tests.inner import CONTRACTS, ROOT, child_env

PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def _run(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args,
                           f"{CONTRACTS}/test_users.py"], cwd=ROOT, env=child_env(), capture_output=True, text=True,
                          timeout=300, check=False)
    out = done.stdout + done.stderr
    assert done.returncode == 3, out[-3000:]
    assert "INTERNALERROR" not in out, out[-3000:]
    assert "Traceback" not in out, out[-3000:]
    return next(line for line in out.splitlines() if "required engine unavailable" in line)


@pytest.fixture
def select_only_user() -> Iterator[str]:
    name = f"ro_{os.getpid()}"
    with pymysql.connect(host="127.0.0.1", port=3306, user="root", autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(f"CREATE USER '{name}'@'%' IDENTIFIED BY 'pw{name}'")
        try:
            cur.execute(f"GRANT SELECT ON *.* TO '{name}'@'%'")
            yield f"mysql://{name}:pw{name}@127.0.0.1:3306/"
        finally:
            cur.execute(f"DROP USER '{name}'@'%'")


def test_a_select_only_mariadb_user_gets_one_line_naming_the_privilege(select_only_user: str) -> None:
    """Before: a 117-line INTERNALERROR (the cleanup's refused DROP escaped).  Cost: about 2 s."""
    line = _run("--mysql-dsn", select_only_user, "--engine", "mysql", "--require-engine", "mysql")
    assert "lacks the CREATE and DROP privileges" in line, line
    assert "GRANT CREATE, DROP" in line, line
    assert "--dsn-database existing" in line, line
    assert "pwro_" not in line


@pytest.fixture
def pg_role() -> Iterator[str]:
    name = f"nocreatedb_{os.getpid()}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {name} LOGIN NOCREATEDB")
        try:
            yield name
        finally:
            conn.execute(f"DROP OWNED BY {name}")
            conn.execute(f"DROP ROLE {name}")


def test_a_postgres_role_without_createdb_gets_one_line_with_both_ways_out(pg_role: str) -> None:
    """Cost: about 2 s."""
    line = _run("--postgres-dsn", f"postgresql://{pg_role}@127.0.0.1:5432/postgres", "--engine", "postgres",
                "--require-engine", "postgres")
    assert "lacks CREATEDB" in line, line
    assert "ALTER ROLE" in line, line
    assert "--dsn-database existing" in line, line


def test_a_read_only_postgres_role_in_an_existing_database_gets_one_line(pg_role: str) -> None:
    """A role that may read but not create tables in the DSN's own database.  Cost: about 2 s."""
    database = f"ro_{os.getpid()}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {database}")
        try:
            with psycopg.connect(PG.rsplit("/", 1)[0] + f"/{database}", autocommit=True) as inner:
                inner.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
            line = _run("--postgres-dsn", f"postgresql://{pg_role}@127.0.0.1:5432/{database}", "--engine",
                        "postgres", "--require-engine", "postgres", "--dsn-database", "existing")
        finally:
            conn.execute(f"DROP DATABASE {database} WITH (FORCE)")
    assert "may not create tables there" in line, line
    assert "GRANT CREATE ON SCHEMA" in line, line
