"""The canonical physical layout per engine: part of the contract every adapter is certified against.

Adapters are interchangeable over the same stored data, so an adapter's own
``create_schema()`` must lay out exactly this layout: the tables (MongoDB:
collections), columns, types, nullability, the byte-order collation of every
key column, primary and unique keys, foreign keys with their actions (or, on
MySQL, their absence) and the indexes the listings need.  The layout is the
same declaration the built-in adapters ship for the drift check (each engine's
:attr:`~adapter_contracts.harness.engines.base.Engine.layout`); ``python -m
adapter_contracts.harness.schema --dump --engine ENGINE`` prints it and
docs/canonical-layout.md shows it.  Every function here takes a layout or its
name (``"postgres"``).

What may differ (:func:`adapter_contracts.harness.schema.model.diff` with ``layout=True``):
index names and methods, extra non-unique indexes, and extra tables or
collections of the adapter's own (listed in the certificate; the harness never
resets them).  Everything else is a difference, one line each, naming table,
column, what the layout expects and what was found.
"""

from __future__ import annotations

from typing import Any

from adapter_contracts.harness.engines import ENGINES, engine_class
from adapter_contracts.harness.engines.base import Layout
from adapter_contracts.harness.schema.model import IGNORED_TABLES, diff, normalise

__all__ = [
    "IGNORED_TABLES",
    "canonical_layout",
    "canonical_tables",
    "key_columns",
    "layout_differences",
    "layout_is_tabular",
    "layouts",
    "render_document",
    "render_markdown",
    "undeclared_collations",
]

def layouts() -> dict[str, Layout]:
    """Every registered engine's layout by name, in registry order (the stand-in shares MongoDB's)."""
    found: dict[str, Layout] = {}
    for name in ENGINES:
        layout = engine_class(name).layout
        if layout is not None:
            found.setdefault(layout.name, layout)
    return found


def _layout(name: Layout | str) -> Layout:
    if isinstance(name, Layout):
        return name
    known = layouts()
    if name not in known:
        raise ValueError(f"no canonical layout named {name!r}; known: {', '.join(known)}")
    return known[name]


def canonical_layout(name: Layout | str) -> dict[str, Any]:
    """The canonical layout document of ``name`` (a fresh copy)."""
    return _layout(name).document()


def layout_is_tabular(name: Layout | str) -> bool:
    """Whether the layout's tables must exist (SQL) or may appear on first write (MongoDB)."""
    return _layout(name).is_tabular()


def canonical_tables(name: Layout | str) -> tuple[str, ...]:
    return _layout(name).tables()


def key_columns(name: Layout | str) -> dict[tuple[str, str], str]:
    """(table, column) -> the collation the layout requires of it: every key column's."""
    tables = normalise(canonical_layout(name)).get("tables", {})
    return {(table, column): spec["collation"]
            for table, body in tables.items() for column, spec in body["columns"].items() if "collation" in spec}


def undeclared_collations(name: Layout | str, declared: dict[str, Any]) -> list[str]:
    """Key columns of layout ``name`` whose ``declared`` schema names no collation.

    The drift check compares a collation only where the declaration names one, so a
    declaration that leaves a key column's out would accept any collation there.
    """
    tables = declared.get("tables")
    if not isinstance(tables, dict):
        return []
    lines = []
    for (table, column), collation in sorted(key_columns(name).items()):
        spec = (tables.get(table) or {}).get("columns", {}).get(column)
        if isinstance(spec, dict) and spec.get("collation") is None:
            lines.append(f"{table}.{column}: a key column declared without its collation "
                         f"(the {name} layout requires {collation})")
    return lines


def layout_differences(name: Layout | str, actual: dict[str, Any]) -> list[str]:
    """One line per way the live storage ``actual`` differs from the canonical layout ``name``."""
    return diff(canonical_layout(name), actual, layout=True)


def render_markdown(name: Layout | str) -> str:
    """The layout as Markdown tables, for docs/canonical-layout.md."""
    document = normalise(canonical_layout(name))
    lines = [f"## {name}", ""]
    if "collections" in document:
        lines += ["| collection | index keys | unique |", "|---|---|---|"]
        for collection, spec in document["collections"].items():
            indexes = spec["indexes"] or [None]
            for index in indexes:
                keys = ", ".join(f"{k} {d}" for k, d in index["keys"]) if index else "(none besides _id)"
                unique = ("yes" if index["unique"] else "no") if index else ""
                lines.append(f"| {collection} | {keys} | {unique} |")
        return "\n".join(lines) + "\n"
    for table, spec in document["tables"].items():
        lines += [f"### {table}", "", "| column | type | null | collation |", "|---|---|---|---|"]
        for column, col in spec["columns"].items():
            kind = col["type"] + (" (auto increment)" if col.get("auto_increment") else "")
            lines.append(f"| {column} | {kind} | {'yes' if col['nullable'] else 'no'} | {col.get('collation', '')} |")
        lines += ["", f"- primary key: ({', '.join(spec['primary_key'])})"]
        for index in spec["indexes"]:
            lines.append(f"- {'unique ' if index['unique'] else ''}index ({', '.join(index['columns'])})")
        for fk in spec["foreign_keys"]:
            ref = fk["references"]
            lines.append(f"- foreign key ({', '.join(fk['columns'])}) -> {ref['table']}"
                         f"({', '.join(ref['columns'])}) on delete {fk['on_delete']}")
        if not spec["foreign_keys"]:
            lines.append("- no foreign keys")
        lines.append("")
    return "\n".join(lines)


_PAGE_HEAD = """# The canonical physical layout

Generated by `python -m adapter_contracts.harness.schema --dump --markdown` from the declarations
the drift check uses (`adapter_contracts/adapters/sql/*.schema.json`,
`adapter_contracts/adapters/mongo.schema.json`, `adapter_contracts/examples/sqlite.schema.json`);
`tests/test_schema_drift.py` fails when this page
is not current.  Do not edit it by hand.

An adapter's `create_schema()` lays out exactly this on an empty database whose
defaults are hostile (PostgreSQL: ICU `en-US` default collation and a
`TimeZone` of +05:45; MySQL/MariaDB: a case- and accent-insensitive default
collation and `time_zone` +05:45; MongoDB: nothing made in advance).  The
certification's first contract, `test_storage_has_the_canonical_layout`,
compares the live storage with it.

**What may differ**: index names and methods, extra non-unique indexes, and
extra tables or collections of the adapter's own (the certificate lists them as
`extra_tables`; the harness never resets them).  **Everything else is a
difference**: missing tables or columns, types, nullability, the collation of
every key column (a collation left to the database default is a difference),
primary and unique keys, foreign keys and their `ON DELETE` actions (or their
documented absence on MySQL, whose seed schema has none), and unique or
missing indexes, each reported as one line naming table, column, expected and
found.

Collation names are canonical: on PostgreSQL `C` (also `POSIX`, `ucs_basic`,
`pg_c_utf8`); on MySQL/MariaDB a class, `utf8mb4:binary-nopad`
(`utf8mb4_nopad_bin` on MariaDB and `utf8mb4_0900_bin` on MySQL 8+ alike).
MySQL declares no foreign keys by design (PlanetScale): its adapter cascades
in one transaction.
"""


def render_document() -> str:
    """The whole docs/canonical-layout.md page."""
    return _PAGE_HEAD + "".join("\n" + render_markdown(layout) for layout in layouts().values())
