"""Read-only schema drift check of an existing database against a declared schema.

    python -m adapter_contracts.harness.schema --engine postgres --dsn postgresql://user:pass@host/db [--json]
    python -m adapter_contracts.harness.schema --engine mysql     # DSN from CONTRACT_MYSQL_DSN
    python -m adapter_contracts.harness.schema --engine sqlite --dsn /path/to/file.db --dump > declared.json
    python -m adapter_contracts.harness.schema --engine postgres --dump  # the canonical layout, nothing read
    python -m adapter_contracts.harness.schema --dump --markdown     # docs/canonical-layout.md

Exit status: 0 when the live schema matches, 1 on drift, 2 when the check
could not run.  Nothing is ever written to the database, and the DSN's
password never appears in the output (the DSN may come from the environment
instead of the command line, so it stays out of the process list too).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from adapter_contracts.harness.engines.base import Endpoint
from adapter_contracts.harness.provision.common import redact_dsn
from adapter_contracts.harness.schema import DECLARED, declared_schema, diff, introspect, problems

ENGINES = ("postgres", "mysql", "mongo", "sqlite")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m adapter_contracts.harness.schema",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=ENGINES, help="required except for --dump --markdown")
    parser.add_argument("--dsn", help="connection string (default: $CONTRACT_<ENGINE>_DSN); a file path for sqlite")
    parser.add_argument("--database", help="database to read when the DSN names none (MongoDB) or another one")
    parser.add_argument("--declared", type=Path,
                        help="a declared schema JSON file (default: the built-in adapter's declaration)")
    parser.add_argument("--ignore-table", action="append", default=[], metavar="NAME",
                        help="a table/collection of someone else's in the same database (repeatable)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    parser.add_argument("--dump", action="store_true",
                        help="print the live schema in canonical form (a starting point for a declaration); "
                             "without --dsn or --live: the engine's canonical layout, what create_schema() "
                             "must lay out")
    parser.add_argument("--live", action="store_true",
                        help="with --dump and no --dsn: read the live schema at $CONTRACT_<ENGINE>_DSN")
    parser.add_argument("--markdown", action="store_true",
                        help="with --dump of the canonical layout: Markdown (every engine unless --engine)")
    return parser


def _dump_layout(args: argparse.Namespace) -> int:
    from adapter_contracts.harness.schema.layout import canonical_layout, render_document, render_markdown

    if args.markdown:
        print(render_markdown(args.engine) if args.engine else render_document(), end="")
    else:
        print(json.dumps(canonical_layout(args.engine), indent=2))
    return 0


def _secrets(dsn: str) -> list[str]:
    """Every spelling of the DSN's password, to scrub from any message."""
    found: list[str] = []
    try:
        password = urlsplit(dsn).password
    except ValueError:
        password = None
    if password:
        found += [password, unquote(password)]
    for item in dsn.split():
        key, _, value = item.partition("=")
        if key.strip().lower() == "password" and value:
            found += [value, value.strip("'\"")]
    return sorted({s for s in found if s}, key=len, reverse=True)


def _scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def _database(engine: str, dsn: str, override: str | None) -> str:
    if override:
        return override
    if engine == "sqlite":
        return dsn.removeprefix("sqlite:///") if dsn.startswith("sqlite:///") else dsn
    if engine == "postgres":
        from psycopg.conninfo import conninfo_to_dict

        return str(conninfo_to_dict(dsn).get("dbname") or "")
    if engine == "mongo":
        from pymongo.uri_parser import parse_uri

        return str(parse_uri(dsn).get("database") or "")
    return unquote(urlsplit(dsn).path.lstrip("/"))


def _declared(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    if args.declared is not None:
        document: dict[str, Any] = json.loads(args.declared.read_text(encoding="utf-8"))
        return document, str(args.declared)
    package, name = DECLARED[args.engine]
    return declared_schema(args.engine), f"{package}/{name} (built-in)"


def run(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.dump and not args.dsn and not args.live:
        if args.engine is None and not args.markdown:
            parser.error("--dump needs --engine (or --markdown for every engine)")
        return _dump_layout(args)
    if args.engine is None:
        parser.error("the following arguments are required: --engine")
    dsn = args.dsn or os.environ.get(f"CONTRACT_{args.engine.upper()}_DSN")
    if not dsn:
        print(f"error: give --dsn or set CONTRACT_{args.engine.upper()}_DSN", file=sys.stderr)
        return 2
    secrets = _secrets(dsn)
    shown = redact_dsn(dsn) if args.engine != "sqlite" else dsn
    try:
        expected, source = _declared(args)
        malformed = problems(expected)
        if malformed:
            print(f"error: {source} is not a canonical schema document:", *malformed, sep="\n  ", file=sys.stderr)
            return 2
        database = _database(args.engine, dsn, args.database)
        if not database:
            print("error: the DSN names no database; give --database", file=sys.stderr)
            return 2
        if args.engine == "sqlite" and not Path(database).is_file():
            print(f"error: no SQLite database file at {database}", file=sys.stderr)
            return 2
        endpoint = Endpoint(engine=args.engine, provider="dsn", dsn=dsn, database=database,
                            server_version="unknown", driver="adapter_contracts.harness.schema", owned=False,
                            extra={"path": database} if args.engine == "sqlite" else {})
        actual = introspect(endpoint)
    except Exception as exc:  # noqa: BLE001 - any driver error: report it without the password, exit 2
        print(_scrub(f"error: cannot read the schema at {shown}: {type(exc).__name__}: {exc}", secrets),
              file=sys.stderr)
        return 2
    ignored = set(args.ignore_table)
    key = "tables" if "tables" in actual else "collections"
    actual[key] = {name: spec for name, spec in actual[key].items() if name not in ignored}
    if args.dump:
        print(json.dumps(actual, indent=2))
        return 0
    drift = diff(expected, actual)
    if args.json:
        print(_scrub(json.dumps({"engine": args.engine, "target": shown, "declared": source,
                                 "equal": not drift, "drift": drift}, indent=2), secrets))
    else:
        verdict = "schema drift" if drift else "no drift"
        lines = [f"{verdict}: {args.engine} {shown} against {source}", *(f"  {line}" for line in drift)]
        if drift:
            lines.append(f"{len(drift)} difference{'s' if len(drift) != 1 else ''}")
        print(_scrub("\n".join(lines), secrets))
    return 1 if drift else 0


if __name__ == "__main__":
    sys.exit(run())
