"""MySQL/MariaDB introspection from information_schema, inside START TRANSACTION READ ONLY."""

from __future__ import annotations

import ipaddress
import re
import ssl
from collections import defaultdict
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pymysql

from adapter_contracts.harness.engines.canonical import canonical_on_delete, canonical_type, index_entry, sql_document

__all__ = ["canonical_mysql_collation", "connect", "introspect_dsn", "json_columns"]

_UNKNOWN_COLUMN = 1054
_UNKNOWN_TABLE = 1109
_JSON_CHECK = re.compile(r"^\s*json_valid\(\s*`?(?P<column>[^`)]+)`?\s*\)\s*$", re.IGNORECASE)


def canonical_mysql_collation(name: str | None) -> str | None:
    """``utf8mb4_nopad_bin`` / ``utf8mb4_0900_bin`` -> ``utf8mb4:binary-nopad``; ``utf8mb4_bin`` ->
    ``utf8mb4:binary-pad``; any other collation keeps its name."""
    if name is None:
        return None
    charset, _, rest = name.partition("_")
    if rest in ("nopad_bin", "0900_bin"):
        return f"{charset}:binary-nopad"
    if rest == "bin":
        return f"{charset}:binary-pad"
    return name



def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def connect(dsn: str, database: str | None = None) -> tuple[Any, str]:
    """A connection for ``mysql://user:pass@host:port/db`` and the database to read (TLS off on loopback only)."""
    parts = urlsplit(dsn)
    if parts.scheme not in ("mysql", "mariadb", "mysql+pymysql"):
        raise ValueError(f"expected a mysql://user:pass@host:port/db DSN, got scheme {parts.scheme!r}")
    name = database or unquote(parts.path.lstrip("/"))
    if not name:
        raise ValueError("the mysql:// DSN names no database")
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    host = parts.hostname or "127.0.0.1"
    socket = query.get("unix_socket")
    params: dict[str, Any] = dict(
        host=host, port=parts.port or 3306, user=unquote(parts.username or "root"),
        password=unquote(parts.password or ""), unix_socket=socket, charset="utf8mb4",
        autocommit=False, connect_timeout=10,
    )
    if socket or _loopback(host):
        params["ssl_disabled"] = True
    else:
        params["ssl"] = ssl.create_default_context()
    return pymysql.connect(**params), name


def json_columns(cur: Any, schema: str) -> set[tuple[str, str]]:
    """(table, column) pairs guarded by a CHECK (json_valid(column)): MariaDB's JSON alias."""
    try:
        cur.execute("SELECT TABLE_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
                    "WHERE CONSTRAINT_SCHEMA = %s", (schema,))
    except pymysql.err.OperationalError as exc:
        if exc.args and exc.args[0] in (_UNKNOWN_COLUMN, _UNKNOWN_TABLE):
            # MySQL 8 has a real JSON type and no TABLE_NAME here; 5.7 has no CHECK_CONSTRAINTS.
            return set()
        raise
    found: set[tuple[str, str]] = set()
    for table, clause in cur.fetchall():
        match = _JSON_CHECK.match(clause or "")
        if match:
            found.add((table, match["column"]))
    return found


def introspect_dsn(dsn: str, database: str | None = None) -> dict[str, Any]:
    """The canonical document of one MySQL/MariaDB database; reads information_schema only."""
    conn, schema = connect(dsn, database)
    try:
        with conn.cursor() as cur:
            cur.execute("START TRANSACTION READ ONLY")
            return _read(cur, schema)
    finally:
        try:
            conn.rollback()
        finally:
            conn.close()


def _read(cur: Any, schema: str) -> dict[str, Any]:
    tables: dict[str, dict[str, Any]] = {}
    cur.execute("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s "
                "AND TABLE_TYPE = 'BASE TABLE'", (schema,))
    for (table,) in cur.fetchall():
        tables[table] = {"columns": {}, "primary_key": [], "indexes": [], "foreign_keys": []}
    guarded = json_columns(cur, schema)
    cur.execute("SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLLATION_NAME, EXTRA "
                "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s ORDER BY TABLE_NAME, ORDINAL_POSITION",
                (schema,))
    for table, column, type_, nullable, collation, extra in cur.fetchall():
        if table not in tables:
            continue  # a view's columns
        spec: dict[str, Any] = {"type": canonical_type(type_), "nullable": nullable == "YES"}
        if spec["type"] == "longtext" and (table, column) in guarded:
            spec["type"] = "json"  # MariaDB: JSON is LONGTEXT + CHECK (json_valid(col))
        if spec["type"] != "json" and collation:
            spec["collation"] = canonical_mysql_collation(collation)
        if "auto_increment" in (extra or "").lower():
            spec["auto_increment"] = True
        tables[table]["columns"][column] = spec
    cur.execute("SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, COLLATION, INDEX_TYPE "
                "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = %s "
                "ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX", (schema,))
    indexes: dict[tuple[str, str], dict[str, Any]] = {}
    for table, index, non_unique, column, sub_part, order, method in cur.fetchall():
        entry = indexes.setdefault((table, index), {"unique": not int(non_unique), "columns": [],
                                                     "method": str(method).lower()})
        name = f"({column})" if column is None else column  # MySQL 8 functional key parts have no column
        if sub_part:
            name += f"({sub_part})"
        if order == "D":
            name += " DESC"
        entry["columns"].append(name)
    for (table, index), entry in indexes.items():
        if table not in tables:
            continue
        if index == "PRIMARY":
            tables[table]["primary_key"] = entry["columns"]
        else:
            tables[table]["indexes"].append(index_entry(entry["columns"], unique=entry["unique"],
                                                        method=entry["method"]))
    cur.execute(
        "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, "
        "r.DELETE_RULE FROM information_schema.KEY_COLUMN_USAGE k "
        "JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA "
        "AND r.TABLE_NAME = k.TABLE_NAME AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME "
        "WHERE k.TABLE_SCHEMA = %s AND k.REFERENCED_TABLE_NAME IS NOT NULL "
        "ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION", (schema,))
    fks: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    for table, name, column, ref_table, ref_column, on_delete in cur.fetchall():
        fk = fks[(table, name)]
        fk.setdefault("columns", []).append(column)
        fk.setdefault("references", {"table": ref_table, "columns": []})["columns"].append(ref_column)
        fk["on_delete"] = canonical_on_delete(on_delete)
    for (table, _), fk in fks.items():
        if table in tables:
            tables[table]["foreign_keys"].append(fk)
    return sql_document("mysql", tables)
