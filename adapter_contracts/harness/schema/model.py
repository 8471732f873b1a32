"""The canonical schema document and the diff between a declared and a live one.

One JSON-able shape for every engine, so that a declared schema (an adapter's
``expected_schema()``) and an introspected one compare key by key.

SQL engines::

    {"format": 1, "engine": "postgres", "tables": {
        "users": {
            "columns": {"id": {"type": "text", "nullable": false, "collation": "C"},
                        "name": {"type": "text", "nullable": true}},
            "primary_key": ["id"],
            "indexes": [{"columns": ["email"], "unique": true}],
            "foreign_keys": [{"columns": ["user_id"], "references": {"table": "users", "columns": ["id"]},
                              "on_delete": "CASCADE"}]}}}

MongoDB::

    {"format": 1, "engine": "mongo", "collections": {
        "users": {"indexes": [{"keys": [["email", 1]], "unique": true}]}}}

Rules of comparison (what counts as the same schema):

* Types are compared after :func:`canonical_type` (``int4`` = ``integer``,
  ``decimal`` = ``numeric``, display widths dropped, ``tinyint(1)`` =
  ``boolean``) but keep what matters: ``datetime(3)`` != ``timestamp``,
  ``numeric(18,4)`` != ``numeric``, ``jsonb`` != ``json``.  Engine-specific
  canonicalisation (MariaDB's JSON alias, SQLite's ``json_valid`` checks) is
  done by the engine's introspection module.
* ``collation`` is compared only where the declaration names one: a contract
  depends on the collation of key columns, not of free text.  MySQL
  collations are reduced to a class (``utf8mb4:binary-nopad`` for both
  ``utf8mb4_nopad_bin`` on MariaDB and ``utf8mb4_0900_bin`` on MySQL 8), so
  one declaration fits both flavours; other collations keep their name.
* Indexes are matched by their column list (in order) and compared on every
  other property (``unique``, ``where``, ``method``, ``include``); their
  names are ignored.  Unique keys are unique indexes: every engine enforces
  one through an index.  The primary key's own index is not listed.
* Column order, defaults and CHECK constraints other than JSON validity are
  not compared.
* Tables and collections in :data:`IGNORED_TABLES` (harness bookkeeping) and
  MongoDB ``system.*`` collections are ignored.  A MongoDB collection that
  does not exist is an empty one: only its missing indexes are drift.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

# The spellings every engine's introspection writes down; they live with the engines, which
# import nothing from this package (see adapter_contracts.harness.engines.canonical).
from adapter_contracts.harness.engines.canonical import (
    FORMAT,
    canonical_on_delete,
    canonical_type,
    index_entry,
    sql_document,
)

__all__ = [
    "FORMAT",
    "IGNORED_TABLES",
    "canonical_on_delete",
    "canonical_type",
    "diff",
    "index_entry",
    "normalise",
    "problems",
    "sql_document",
]

#: Harness bookkeeping, never part of an adapter's schema.
IGNORED_TABLES: frozenset[str] = frozenset({"contract_harness_marker"})

# -- normalisation and shape ----------------------------------------------------


def _normal_column(column: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": canonical_type(str(column["type"])), "nullable": bool(column["nullable"])}
    if column.get("collation") is not None:
        out["collation"] = str(column["collation"])
    if column.get("auto_increment"):
        out["auto_increment"] = True
    return out


def _normal_index(index: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in index.items() if v not in (None, False, [], "", "btree")}
    out["unique"] = bool(index.get("unique", False))
    return out


def _normal_fk(fk: Mapping[str, Any]) -> dict[str, Any]:
    ref = fk["references"]
    return {"columns": list(fk["columns"]), "references": {"table": ref["table"], "columns": list(ref["columns"])},
            "on_delete": canonical_on_delete(fk.get("on_delete"))}


def _normal_key(keys: Iterable[Sequence[Any]]) -> list[list[Any]]:
    # 1.0 and 1 are the same direction; BSON may hand back either.
    return [[str(name), int(d) if isinstance(d, (int, float)) else str(d)] for name, d in keys]


def normalise(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document with every spelling canonical and every optional key filled in."""
    out: dict[str, Any] = {"format": document.get("format", FORMAT), "engine": document.get("engine")}
    if "collections" in document:
        out["collections"] = {
            name: {"indexes": [dict(_normal_index({k: v for k, v in ix.items() if k != "keys"}),
                                    keys=_normal_key(ix["keys"])) for ix in spec.get("indexes", [])]}
            for name, spec in document["collections"].items()
        }
    if "tables" in document:
        out["tables"] = {
            name: {
                "columns": {c: _normal_column(col) for c, col in spec.get("columns", {}).items()},
                "primary_key": list(spec.get("primary_key") or []),
                "indexes": [_normal_index(ix) for ix in spec.get("indexes", [])],
                "foreign_keys": [_normal_fk(fk) for fk in spec.get("foreign_keys", [])],
            }
            for name, spec in document["tables"].items()
        }
    return out


def problems(document: Any) -> list[str]:
    """Why ``document`` is not a canonical schema document ([] when it is)."""
    if not isinstance(document, Mapping):
        return [f"a schema document is a JSON object, got {type(document).__name__}"]
    found: list[str] = []
    if document.get("format") != FORMAT:
        found.append(f"format: expected {FORMAT}, found {document.get('format')!r}")
    if not isinstance(document.get("engine"), str):
        found.append("engine: missing (a string naming the engine)")
    if ("tables" in document) == ("collections" in document):
        found.append("exactly one of 'tables' (SQL) or 'collections' (MongoDB) is required")
    for name, spec in (document.get("tables") or {}).items():
        columns = spec.get("columns") if isinstance(spec, Mapping) else None
        if not columns:
            found.append(f"table {name}: no columns")
            continue
        for cname, col in columns.items():
            if not isinstance(col, Mapping) or "type" not in col or "nullable" not in col:
                found.append(f"{name}.{cname}: needs 'type' and 'nullable'")
        known = set(columns)
        for key in spec.get("primary_key") or []:
            if key not in known:
                found.append(f"table {name}: primary key column {key} is not a column")
        for ix in spec.get("indexes", []):
            if not ix.get("columns"):
                found.append(f"table {name}: an index without columns")
        for fk in spec.get("foreign_keys", []):
            if not fk.get("columns") or not fk.get("references", {}).get("table"):
                found.append(f"table {name}: a foreign key without columns or referenced table")
    for name, spec in (document.get("collections") or {}).items():
        for ix in spec.get("indexes", []) if isinstance(spec, Mapping) else [None]:
            if not isinstance(ix, Mapping) or not ix.get("keys"):
                found.append(f"collection {name}: an index without keys")
    if not found:
        try:
            normalise(document)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            found.append(f"not in canonical form: {type(exc).__name__}: {exc}")
    return found


# -- diff -----------------------------------------------------------------------


def _yes(value: bool) -> str:
    return "YES" if value else "NO"


def _cols(columns: Sequence[str]) -> str:
    return ", ".join(columns)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return _yes(value)
    return "none" if value is None else str(value)


def _mongo_keys(keys: Sequence[Sequence[Any]]) -> str:
    return ", ".join(f"{name}: {direction}" for name, direction in keys)


def _match(
    expected: list[dict[str, Any]], actual: list[dict[str, Any]], identity: str,
    label: Callable[[dict[str, Any]], str], layout: bool = False,
) -> list[str]:
    """Pair entries by ``identity``: exact twins first, then same identity with other differences.

    With ``layout`` (the canonical layout check) only what the contracts depend on is compared,
    uniqueness and a partial predicate, and extra entries are allowed unless they are unique
    (a unique key the layout lacks refuses rows the contracts must store).
    """
    if layout:
        expected = [_semantic(entry, identity) for entry in expected]
        actual = [_semantic(entry, identity) for entry in actual]
    remaining = list(actual)
    lines: list[str] = []
    unmatched: list[dict[str, Any]] = []
    for want in expected:
        if want in remaining:
            remaining.remove(want)
        else:
            unmatched.append(want)
    for want in unmatched:
        twin = next((have for have in remaining if have[identity] == want[identity]), None)
        name = label(want)
        if twin is None:
            lines.append(f"{name}{' unique' if want.get('unique') else ''}: missing")
            continue
        remaining.remove(twin)
        for key in sorted(set(want) | set(twin)):
            if key != identity and want.get(key) != twin.get(key):
                lines.append(f"{name}: {key} expected {_show(want.get(key))}, found {_show(twin.get(key))}")
    for have in remaining:
        if layout and not have.get("unique"):
            continue
        name = label(have)
        lines.append(f"{name}{' unique' if have.get('unique') else ''}: unexpected")
    return lines


def _semantic(entry: Mapping[str, Any], identity: str) -> dict[str, Any]:
    out = {identity: entry[identity], "unique": bool(entry.get("unique"))}
    if entry.get("where"):
        out["where"] = entry["where"]
    return out


def _mongo_label(collection: str) -> Callable[[dict[str, Any]], str]:
    return lambda index: f"index {collection}{{{_mongo_keys(index['keys'])}}}"


def _fk_label(table: str, fk: Mapping[str, Any]) -> str:
    ref = fk["references"]
    return f"foreign key {table}({_cols(fk['columns'])}) -> {ref['table']}({_cols(ref['columns'])})"


def _diff_table(name: str, want: Mapping[str, Any], have: Mapping[str, Any], layout: bool = False) -> list[str]:
    lines: list[str] = []
    for column, spec in want["columns"].items():
        found = have["columns"].get(column)
        if found is None:
            lines.append(f"{name}.{column}: missing")
            continue
        if spec["type"] != found["type"]:
            lines.append(f"{name}.{column}: type expected {spec['type']}, found {found['type']}")
        if spec["nullable"] != found["nullable"]:
            lines.append(f"{name}.{column}: nullable expected {_yes(spec['nullable'])}, "
                         f"found {_yes(found['nullable'])}")
        if "collation" in spec and spec["collation"] != found.get("collation"):
            lines.append(f"{name}.{column}: collation expected {spec['collation']}, "
                         f"found {_show(found.get('collation'))}")
        if spec.get("auto_increment", False) != found.get("auto_increment", False):
            lines.append(f"{name}.{column}: auto_increment expected {_yes(spec.get('auto_increment', False))}, "
                         f"found {_yes(found.get('auto_increment', False))}")
    lines += [f"{name}.{column}: unexpected column" for column in have["columns"] if column not in want["columns"]]
    if want["primary_key"] != have["primary_key"]:
        shown = [f"({_cols(k)})" if k else "none" for k in (want["primary_key"], have["primary_key"])]
        lines.append(f"primary key {name}: expected {shown[0]}, found {shown[1]}")
    lines += _match(want["indexes"], have["indexes"], "columns",
                    lambda ix: f"index {name}({_cols(ix['columns'])})", layout)
    wanted_fks = {_fk_label(name, fk): fk for fk in want["foreign_keys"]}
    found_fks = {_fk_label(name, fk): fk for fk in have["foreign_keys"]}
    for label, fk in wanted_fks.items():
        twin = found_fks.get(label)
        if twin is None:
            lines.append(f"{label}: missing")
        elif twin["on_delete"] != fk["on_delete"]:
            lines.append(f"{label}: on delete expected {fk['on_delete']}, found {twin['on_delete']}")
    lines += [f"{label}: unexpected" for label in found_fks if label not in wanted_fks]
    return lines


def _ignored(name: str) -> bool:
    return name in IGNORED_TABLES or name.startswith("system.")


def diff(expected: Mapping[str, Any], actual: Mapping[str, Any], *, layout: bool = False) -> list[str]:
    """Readable lines, one per difference; [] when the live schema matches the declaration.

    ``layout=True`` applies the rules of the canonical layout check (harness/schema/layout.py):
    extra tables, collections and non-unique indexes are allowed and index names and methods are
    free; everything else (columns, types, nullability, collations the layout names, keys,
    foreign keys and their actions, or their absence) must match.
    """
    want, have = normalise(expected), normalise(actual)
    lines: list[str] = []
    if want["engine"] and have["engine"] and want["engine"] != have["engine"]:
        lines.append(f"engine: expected {want['engine']}, found {have['engine']}")
    if "tables" in want:
        tables = have.get("tables", {})
        for name, spec in want["tables"].items():
            if name not in tables:
                lines.append(f"table {name}: missing")
            else:
                lines += _diff_table(name, spec, tables[name], layout)
        if not layout:
            lines += [f"table {name}: unexpected" for name in tables
                      if name not in want["tables"] and not _ignored(name)]
    if "collections" in want:
        collections = have.get("collections", {})
        for name, spec in want["collections"].items():
            found = collections.get(name, {"indexes": []})  # an absent collection is an empty one
            lines += _match(spec["indexes"], found["indexes"], "keys", _mongo_label(name), layout)
        if not layout:
            lines += [f"collection {name}: unexpected" for name in collections
                      if name not in want["collections"] and not _ignored(name)]
    if ("tables" in want) != ("tables" in have):
        lines.append("kind: expected " + ("SQL tables" if "tables" in want else "MongoDB collections")
                     + ", found " + ("SQL tables" if "tables" in have else "MongoDB collections"))
    return lines
