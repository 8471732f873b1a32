"""PostgreSQL introspection from pg_catalog, in a read-only session of one snapshot."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import psycopg

from adapter_contracts.adapters.postgres.bounds import bounded_connect
from adapter_contracts.harness.engines.canonical import canonical_on_delete, canonical_type, index_entry, sql_document

__all__ = ["connect_read_only", "introspect_dsn"]

_ON_DELETE = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}

_COLUMNS = """
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       co.collname, co.collprovider,
       a.attidentity <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%', false)
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
ORDER BY c.relname, a.attnum
"""

_CONSTRAINTS = """
SELECT c.relname, k.contype,
       ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, i)
             JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i),
       r.relname,
       ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, i)
             JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.i),
       k.confdeltype
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class r ON r.oid = k.confrelid
WHERE n.nspname = current_schema() AND k.contype IN ('p', 'f')
ORDER BY c.relname, k.conname
"""

# indkey holds 0 for an expression; pg_get_indexdef(oid, n, true) prints that key's text.
_INDEXES = """
SELECT c.relname, i.indisunique,
       ARRAY(SELECT CASE WHEN u.n = 0 THEN '(' || pg_get_indexdef(i.indexrelid, u.i::int, true) || ')'
                         ELSE (SELECT a.attname FROM pg_attribute a
                               WHERE a.attrelid = i.indrelid AND a.attnum = u.n) END
                    || CASE WHEN (i.indoption::int2[])[u.i - 1] & 1 = 1 THEN ' DESC' ELSE '' END
             FROM unnest(i.indkey::int2[]) WITH ORDINALITY u(n, i)
             WHERE u.i <= i.indnkeyatts ORDER BY u.i),
       ARRAY(SELECT a.attname FROM unnest(i.indkey::int2[]) WITH ORDINALITY u(n, i)
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.n
             WHERE u.i > i.indnkeyatts ORDER BY u.i),
       pg_get_expr(i.indpred, i.indrelid), am.amname
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_am am ON am.oid = ic.relam
WHERE n.nspname = current_schema() AND NOT i.indisprimary AND c.relkind IN ('r', 'p')
ORDER BY c.relname, ic.relname
"""


def connect_read_only(dsn: str) -> psycopg.Connection[tuple[Any, ...]]:
    """A session whose every transaction is READ ONLY, in one REPEATABLE READ snapshot per transaction."""
    conn = bounded_connect(dsn)
    try:
        conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        conn.autocommit = False
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
    except BaseException:
        conn.close()
        raise
    return conn


def _default_collation(conn: psycopg.Connection[tuple[Any, ...]]) -> str:
    """What the database's default collation is called, as pg_collation names it."""
    row = conn.execute(
        "SELECT to_jsonb(d) FROM pg_database d WHERE d.datname = current_database()"
    ).fetchone()
    info: dict[str, Any] = row[0] if row else {}
    # PostgreSQL 15 says daticulocale, 17 renamed it datlocale; 'i' is ICU, 'b' the builtin provider.
    locale = info.get("datlocale") or info.get("daticulocale")
    if info.get("datlocprovider") == "i" and locale:
        return f"{locale}-x-icu"
    if info.get("datlocprovider") == "b" and locale:
        return f"pg_{locale.replace('.', '_').lower()}"
    return _collation_name(str(info.get("datcollate", "default")))


#: Collations that compare and sort by byte / code point, whatever they are called.
_BYTE_ORDER = {"C", "POSIX", "ucs_basic", "pg_c_utf8"}


def _collation_name(name: str) -> str:
    return "C" if name in _BYTE_ORDER else name


def introspect_dsn(dsn: str) -> dict[str, Any]:
    """The canonical document of the current schema (search_path's first) of the database ``dsn`` names."""
    with connect_read_only(dsn) as conn, conn.transaction():
        default = _default_collation(conn)
        tables: dict[str, dict[str, Any]] = defaultdict(
            lambda: {"columns": {}, "primary_key": [], "indexes": [], "foreign_keys": []})
        for table, column, type_, notnull, collname, provider, auto in conn.execute(_COLUMNS):
            spec: dict[str, Any] = {"type": canonical_type(type_), "nullable": not notnull}
            if collname is not None:
                # A column on the database default collates however the database was created: it is
                # said as such, so that a layout naming "C" never matches it by the luck of the server.
                spec["collation"] = f"default ({default})" if provider == "d" else _collation_name(collname)
            if auto:
                spec["auto_increment"] = True
            tables[table]["columns"][column] = spec
        for table, kind, columns, ref_table, ref_columns, on_delete in conn.execute(_CONSTRAINTS):
            if kind == "p":
                tables[table]["primary_key"] = list(columns)
            else:
                tables[table]["foreign_keys"].append({
                    "columns": list(columns), "references": {"table": ref_table, "columns": list(ref_columns)},
                    "on_delete": canonical_on_delete(_ON_DELETE.get(on_delete, on_delete)),
                })
        for table, unique, columns, include, where, method in conn.execute(_INDEXES):
            tables[table]["indexes"].append(
                index_entry(columns, unique=unique, include=list(include), where=where, method=method))
    return sql_document("postgres", tables)
