"""SQLite introspection: sqlite_master and the table/index/foreign-key pragmas, on a read-only open."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

from adapter_contracts.harness.engines.canonical import canonical_on_delete, canonical_type, index_entry, sql_document

__all__ = ["column_definitions", "introspect_path"]

_COLLATE = re.compile(r"\bCOLLATE\s+[\"`\[]?(\w+)", re.IGNORECASE)
_WHERE = re.compile(r"\bWHERE\b(?P<predicate>.*)$", re.IGNORECASE | re.DOTALL)
_CONSTRAINT = re.compile(r"^(CONSTRAINT|PRIMARY|UNIQUE|CHECK|FOREIGN)\b", re.IGNORECASE)


def _split_top_level(body: str) -> list[str]:
    parts, depth, current, quote_char = [], 0, [], ""
    for char in body:
        if quote_char:
            current.append(char)
            if char == quote_char:
                quote_char = ""
            continue
        if char in "'\"`[":
            quote_char = "]" if char == "[" else char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def column_definitions(create_sql: str) -> dict[str, str]:
    """Column name -> its definition text, from a CREATE TABLE statement.

    SQLite keeps no catalog of column collations or CHECKs: they live only in
    the statement text, so that is what is read here.
    """
    body = create_sql[create_sql.index("(") + 1: create_sql.rindex(")")]
    definitions: dict[str, str] = {}
    for part in _split_top_level(body):
        if _CONSTRAINT.match(part):
            continue
        name = part.split(None, 1)[0].strip("\"`[]")
        definitions[name] = part
    return definitions


def _is_json(definition: str, column: str) -> bool:
    return re.search(rf"\bjson_valid\(\s*[\"`\[]?{re.escape(column)}[\"`\]]?\s*\)", definition,
                     re.IGNORECASE) is not None


def connect_read_only(path: str) -> sqlite3.Connection:
    """mode=ro: SQLite itself refuses every write, and a missing file is an error, not a new database."""
    return sqlite3.connect(f"file:{quote(str(Path(path).resolve()))}?mode=ro", uri=True)


def introspect_path(path: str) -> dict[str, Any]:
    conn = connect_read_only(path)
    try:
        conn.execute("BEGIN")  # one read snapshot for every pragma
        return _read(conn)
    finally:
        conn.close()


def _read(conn: sqlite3.Connection) -> dict[str, Any]:
    tables: dict[str, dict[str, Any]] = {}
    masters = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                           "WHERE name NOT LIKE 'sqlite_%' AND sql IS NOT NULL").fetchall()
    index_sql = {name: sql for kind, name, _, sql in masters if kind == "index"}
    for kind, table, _, create_sql in masters:
        if kind != "table":
            continue
        definitions = column_definitions(create_sql)
        autoincrement = re.search(r"\bAUTOINCREMENT\b", create_sql, re.IGNORECASE) is not None
        info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
        pk = [name for _, name, _, _, _, position in sorted(info, key=lambda r: r[5]) if position]
        columns: dict[str, Any] = {}
        for _, name, type_, notnull, _, _ in info:
            definition = definitions.get(name, "")
            rowid = pk == [name] and type_.upper() == "INTEGER"  # an alias of the rowid: never NULL
            spec: dict[str, Any] = {"type": canonical_type(type_ or "blob"), "nullable": not (notnull or rowid)}
            if spec["type"] == "text" and _is_json(create_sql, name):
                spec["type"] = "json"
            elif spec["type"] == "text":
                match = _COLLATE.search(definition)
                spec["collation"] = match.group(1).upper() if match else "BINARY"
            if rowid and autoincrement:
                spec["auto_increment"] = True
            columns[name] = spec
        indexes = []
        for _, index, unique, origin, partial in conn.execute(f'PRAGMA index_list("{table}")').fetchall():
            if origin == "pk":
                continue
            keys = []
            for _, cid, column, desc, _, key in conn.execute(f'PRAGMA index_xinfo("{index}")').fetchall():
                if not key:
                    continue
                keys.append(("(expression)" if cid == -2 or column is None else column) + (" DESC" if desc else ""))
            where = None
            if partial:
                match = _WHERE.search(index_sql.get(index) or "")
                where = " ".join(match["predicate"].split()) if match else "(partial)"
            indexes.append(index_entry(keys, unique=bool(unique), where=where))
        fks: dict[int, dict[str, Any]] = {}
        for fid, _, ref_table, source, target, _, on_delete, _ in conn.execute(
                f'PRAGMA foreign_key_list("{table}")').fetchall():
            fk = fks.setdefault(fid, {"columns": [], "references": {"table": ref_table, "columns": []},
                                      "on_delete": canonical_on_delete(on_delete)})
            fk["columns"].append(source)
            fk["references"]["columns"].append(target)
        for fk in fks.values():
            if None in fk["references"]["columns"]:  # REFERENCES t with no column list means t's primary key
                ref_info = conn.execute(f'PRAGMA table_info("{fk["references"]["table"]}")').fetchall()
                fk["references"]["columns"] = [r[1] for r in sorted(ref_info, key=lambda r: r[5]) if r[5]]
        tables[table] = {"columns": columns, "primary_key": pk, "indexes": indexes, "foreign_keys": list(fks.values())}
    return sql_document("sqlite", tables)
