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

from adapter_contracts.harness.engines import ENGINES, engine_class, load_engine
from adapter_contracts.harness.engines.base import Engine, dsn_names
from adapter_contracts.harness.schema import diff, problems


def _engines() -> list[str]:
    """The engines with a storage schema to read (a stand-in reads what its real engine does)."""
    return [name for name in ENGINES if engine_class(name).layout is not None and not engine_class(name).stand_in]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m adapter_contracts.harness.schema",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=_engines(), help="required except for --dump --markdown")
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

    layout = load_engine(args.engine).layout if args.engine else None
    if args.markdown:
        print(render_markdown(layout) if layout is not None else render_document(), end="")
    else:
        print(json.dumps(canonical_layout(layout or args.engine), indent=2))
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


def _declared(args: argparse.Namespace, engine: Engine) -> tuple[dict[str, Any], str]:
    if args.declared is not None:
        document: dict[str, Any] = json.loads(args.declared.read_text(encoding="utf-8"))
        return document, str(args.declared)
    assert engine.layout is not None
    return engine.layout.document(), f"{engine.layout.package}/{engine.layout.resource} (built-in)"


def run(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.dump and not args.dsn and not args.live:
        if args.engine is None and not args.markdown:
            parser.error("--dump needs --engine (or --markdown for every engine)")
        return _dump_layout(args)
    if args.engine is None:
        parser.error("the following arguments are required: --engine")
    engine = load_engine(args.engine)
    _, _, variable = dsn_names(args.engine)
    dsn = args.dsn or os.environ.get(variable)
    if not dsn:
        print(f"error: give --dsn or set {variable}", file=sys.stderr)
        return 2
    secrets = _secrets(dsn)
    shown = engine.shown(dsn)
    try:
        expected, source = _declared(args, engine)
        malformed = problems(expected)
        if malformed:
            print(f"error: {source} is not a canonical schema document:", *malformed, sep="\n  ", file=sys.stderr)
            return 2
        try:
            endpoint = engine.inspection_endpoint(dsn, args.database)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        actual = engine.introspect(endpoint)
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
