"""How every engine's introspection writes down what it reads: the canonical schema document's spellings.

The document and its comparison are :mod:`adapter_contracts.harness.schema.model`; these
helpers live here, with the engines, so that an engine's introspection imports nothing of
the schema package (which dispatches to the engines).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["FORMAT", "canonical_on_delete", "canonical_type", "index_entry", "sql_document"]

FORMAT = 1

_ALIASES = {
    "int": "integer", "int4": "integer", "integer": "integer", "mediumint": "mediumint",
    "int8": "bigint", "bigint": "bigint", "int2": "smallint", "smallint": "smallint", "tinyint": "tinyint",
    "bool": "boolean", "boolean": "boolean", "tinyint(1)": "boolean",
    "decimal": "numeric", "dec": "numeric", "numeric": "numeric",
    "float8": "double", "double precision": "double", "double": "double", "float4": "real", "real": "real",
    "character varying": "varchar", "varchar": "varchar", "character": "char", "char": "char",
    "timestamp with time zone": "timestamptz", "timestamptz": "timestamptz",
    "timestamp without time zone": "timestamp", "timestamp": "timestamp",
    "time with time zone": "timetz", "time without time zone": "time",
}
_TYPE = re.compile(r"^(?P<base>[a-z][a-z0-9 ]*?)\s*(?:\((?P<args>[^)]*)\))?(?P<rest>(?:\s+[a-z ]+)?)$")
_INTEGERS = {"integer", "bigint", "smallint", "tinyint", "mediumint"}


def canonical_type(spelling: str) -> str:
    """One spelling per type: lower case, aliases resolved, integer display widths dropped."""
    text = " ".join(spelling.strip().lower().split())
    text = re.sub(r"\s*,\s*", ",", text)
    text = re.sub(r"\s*\(\s*", "(", text).replace(" )", ")")
    if text in _ALIASES:
        return _ALIASES[text]
    match = _TYPE.match(text)
    if match is None:
        return text
    base, args, rest = match["base"], match["args"], match["rest"].strip()
    if base == "tinyint" and args == "1" and not rest:
        return "boolean"
    # "timestamp(3) with time zone": the precision sits between the name and its suffix.
    if rest in ("with time zone", "without time zone") and base in ("timestamp", "time"):
        base, rest = f"{base} {rest}", ""
    base = _ALIASES.get(base, base)
    if base in _INTEGERS:
        args = None  # display width: no effect on what is stored
    rest = " ".join(word for word in rest.split() if word != "zerofill")
    return base + (f"({args})" if args is not None else "") + (f" {rest}" if rest else "")


def canonical_on_delete(rule: str | None) -> str:
    return " ".join((rule or "NO ACTION").upper().split())


def index_entry(columns: Sequence[str], *, unique: bool, **extra: Any) -> dict[str, Any]:
    """A SQL index in canonical form; ``extra`` keeps only properties that are set."""
    entry: dict[str, Any] = {"columns": list(columns), "unique": bool(unique)}
    entry.update({k: v for k, v in extra.items() if v not in (None, False, [], "", "btree")})
    return entry


def sql_document(engine: str, tables: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    return {"format": FORMAT, "engine": engine, "tables": {name: dict(tables[name]) for name in sorted(tables)}}
