"""``python -m bench [--quick] [--engine E ...] [--only SECTION ...] [--json PATH]``.

Provisions engines the way the harness does (CONTRACT_* variables apply; by
default throwaway local servers), runs each section, prints one table per
section and writes everything to one JSON file for comparing runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from adapter_contracts.harness.config import OPTIONS, HarnessConfig
from adapter_contracts.harness.session import EngineSession, EngineUnavailable
from bench import sections
from bench.floor import run_floor
from bench.raw import raw_for
from bench.readme import run_readme
from bench.suite import run_suite

ENGINES = ("memory", "sqlite", "postgres", "mysql", "mongomock")
SECTIONS = ("reset", "point", "ingest", "scaling", "suite", "floor", "readme")
#: What runs without --only: the README command's run (readme) takes minutes of its own.
DEFAULT_SECTIONS = SECTIONS[:-1]
#: Engines reached through a server: the ones with a round-trip floor.
SERVER_ENGINES = ("postgres", "mysql")
#: The stand-in has no indexes: its aggregate scans every document in Python (0.9 s per
#: totals call over 10^4 documents), so it gets the smallest table and few repeats.
MONGOMOCK_MAX_WINDOW = 1_000
MONGOMOCK_REPEAT = 3


def machine() -> dict[str, Any]:
    model, memory = "unknown", "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) // 1024} MiB"
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": model, "memory": memory, "python": platform.python_version(),
            "platform": platform.platform(), "loadavg_at_start": os.getloadavg()}


def table(title: str, rows: list[dict[str, Any]], skip: tuple[str, ...] = ()) -> str:
    if not rows:
        return ""
    keys = [k for k in rows[0] if k not in skip]
    cells = [[("-" if r.get(k) is None else str(r.get(k))) for k in keys] for r in rows]
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    lines = [f"== {title} ==", "  ".join(k.ljust(w) for k, w in zip(keys, widths, strict=True))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats (about a minute)")
    parser.add_argument("--engine", action="append", choices=ENGINES, help="engines (default: all)")
    parser.add_argument("--only", action="append", choices=SECTIONS,
                        help="sections (default: all but readme, the README's test command measured)")
    parser.add_argument("--json", type=Path, help="where to write the results (default bench/results/<time>.json)")
    args = parser.parse_args(argv)
    engines = args.engine or list(ENGINES)
    only = args.only or list(DEFAULT_SECTIONS)
    repeat = 200 if args.quick else 1000
    ingest_n = 1000 if args.quick else 5000
    sizes = [1_000, 10_000] if args.quick else [1_000, 10_000, 100_000]

    raw_options = {o.dest: os.environ.get(o.env) for o in OPTIONS}
    config = HarnessConfig.from_values({**raw_options, "contract_engines": ",".join(engines)})
    session = EngineSession(config)
    results: dict[str, Any] = {"machine": machine(), "quick": args.quick,
                               "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                               "engines": {}, "sections": {s: [] for s in only}}
    began = time.perf_counter()
    try:
        for engine_id in engines:
            if not set(only) - {"suite", "floor", "readme"}:
                break
            try:
                started = session.get(engine_id)
            except EngineUnavailable as exc:
                print(f"engine {engine_id}: SKIPPED - {exc}", file=sys.stderr)
                continue
            ep = started.endpoint
            results["engines"][engine_id] = {"server": ep.server_version, "provider": ep.provider,
                                             "driver": ep.driver, "startup_s": round(started.startup_seconds, 2)}
            print(f"engine {engine_id}: {ep.server_version} via {ep.provider}, ready in "
                  f"{started.startup_seconds:.2f}s", file=sys.stderr)
            raw = raw_for(ep)
            try:
                if "reset" in only:
                    results["sections"]["reset"] += sections.reset(engine_id, started, repeat // 2)
                if "point" in only:
                    results["sections"]["point"] += sections.point(engine_id, started, raw, repeat)
                if "ingest" in only:
                    results["sections"]["ingest"] += sections.ingest(engine_id, started, raw, ingest_n)
                if "scaling" in only:
                    cap = MONGOMOCK_MAX_WINDOW if engine_id == "mongomock" else None
                    engine_sizes = [s for s in sizes if cap is None or s <= cap]
                    scaling_repeat = MONGOMOCK_REPEAT if cap else 20 if args.quick else 50
                    results["sections"]["scaling"] += sections.scaling(
                        engine_id, started, raw, engine_sizes, scaling_repeat)
                started.engine.reset()
            finally:
                if raw is not None:
                    raw.close()
    finally:
        session.close()
    if "suite" in only:
        for engine_id in engines:
            # The contracts only: tests/ holds the harness's own tests, some of which run whole suites themselves.
            results["sections"]["suite"].append(run_suite(engine_id, extra=("adapter_contracts/contracts",)))
            print(f"suite {engine_id}: {results['sections']['suite'][-1]['wall_s']} s", file=sys.stderr)
    if "floor" in only:
        for engine_id in engines:
            if engine_id in SERVER_ENGINES:
                results["sections"]["floor"].append(run_floor(engine_id))
                print(f"floor {engine_id}: {results['sections']['floor'][-1]['wall_s']} s", file=sys.stderr)
    if "readme" in only:
        row, files = run_readme()
        results["sections"]["readme"] = [row]
        results["readme_files"] = files
        print(f"readme: {row['wall_s']} s", file=sys.stderr)
    results["bench_seconds"] = round(time.perf_counter() - began, 1)

    titles = {
        "reset": "per-test reset (ms): empty tables, and after one row in each of the ten tables",
        "point": "point operations (ms): adapter vs the same statement through the raw driver",
        "ingest": "billing ingest (rows/s)",
        "scaling": "billing totals and first page of 100 for one client among ten (ms)",
        "suite": "whole suite per engine (CI=true: Hypothesis ci profile), serial",
        "floor": "serial certification against its floor (round trips x SELECT 1 median); CPU split of pytest (%)",
        "readme": "the README's test command: wall, the machine's busy cores, where pytest's CPU went (s)",
    }
    for name in only:
        skip = ("totals_plan", "listing_plan") if name == "scaling" else ("summary", "failed", "select1_batches_ms")
        print(table(titles[name], results["sections"][name], skip) + "\n")
    if results.get("readme_files"):
        print(table("the README command's most expensive test files (CPU-s, their children's part)",
                    results["readme_files"]) + "\n")
    plans = [r for r in results["sections"].get("scaling", []) if "totals_plan" in r]
    for r in plans:
        print(f"{r['engine']} rows={r['table_rows']} window={r['window']}: totals {r['totals_plan']}"
              f" | listing {r['listing_plan']}")
    path = args.json or Path(__file__).parent / "results" / f"{datetime.now():%Y%m%d-%H%M%S}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nresults: {path} ({results['bench_seconds']} s)")
    # A window holding most of the table is rightly read by a sequential scan (Postgres picks one
    # above roughly a third); the key must serve every window that is a small part of the table.
    failed = [r for r in results["sections"].get("floor", []) if r["exit"] != 0]
    for r in failed:
        print(f"WARNING: the {r['engine']} certification did not pass ({r['summary']}); its figures are not "
              "a certification's:\n  " + "\n  ".join(r["failed"] or ["(no FAILED line)"]), file=sys.stderr)
    missing = [r for r in plans
               if r["window"] * 10 <= r["table_rows"] and not (r["totals_index"] and r["listing_index"])]
    if missing:
        print("WARNING: billing query without the (client_id, timestamp, id) index: "
              + "; ".join(f"{r['engine']} window={r['window']}" for r in missing), file=sys.stderr)
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
