"""The certificate as a document: its common header, the placeholder a run starts with, and the Markdown
rendering of the JSON document (the Markdown says nothing the JSON does not)."""

from __future__ import annotations

import os
import platform
from datetime import datetime, timezone
from typing import Any

import hypothesis
import pytest

from adapter_contracts.harness.manifest import load_manifest
from adapter_contracts.harness.report.outcomes import suite_version

__all__ = ["certificate_header", "in_progress_document", "render_markdown", "usage_error_document"]


def certificate_header(started_at: str) -> dict[str, Any]:
    """What every report says of the suite: its version, the manifest it is checked against, the run."""
    try:
        manifest = load_manifest()
        listed: dict[str, Any] = {"hash": manifest.digest, "short": manifest.short,
                                  "suite_version": manifest.suite_version,
                                  "contracts": {kind: len(ids) for kind, ids in sorted(manifest.engines.items())},
                                  "measured_with_hypothesis": manifest.hypothesis}
    except ValueError as exc:
        listed = {"error": str(exc)}
    return {
        "suite": "adapter-contracts",
        "suite_version": suite_version(),
        "manifest": listed,
        "started_at": started_at,
        "pid": os.getpid(),
        "pytest": pytest.__version__,
        "hypothesis": hypothesis.__version__,
    }


def in_progress_document(started_at: str, command_line: str) -> dict[str, Any]:
    """What the report path holds while a run is going on: it certifies nothing."""
    return {
        **certificate_header(started_at),
        "status": "in progress",
        "note": "this run has not finished: it certifies nothing; a run that ends without its final word "
                "(killed, os._exit) leaves this",
        "command_line": command_line,
        "python": platform.python_version(),
        "complete": False,
        "exit_status": None,
        "engines": {},
        "tests": [],
    }


def usage_error_document(started_at: str, command_line: str, error: str) -> dict[str, Any]:
    return {**in_progress_document(started_at, command_line), "status": "usage error", "note": error,
            "exit_status": 4, "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}


def _cell(value: object) -> str:
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value if value not in (None, "") else "-")
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(doc: dict[str, Any]) -> str:
    manifest = doc.get("manifest", {})
    title = (f"# Conformance report (adapter-contracts {doc.get('suite_version')}, "
             f"manifest {manifest.get('short', '?')})")
    status = doc.get("status")
    if status in ("in progress", "usage error"):
        return "\n".join([title, "", f"**{str(status).upper()}**: {doc.get('note')}", "",
                          f"- started {doc.get('started_at')} (pid {doc.get('pid')}): `{doc.get('command_line')}`",
                          f"- exit status: {doc.get('exit_status')}; certifies nothing", ""])
    run = (f"INTERRUPTED: {doc['interrupted']}" if doc.get("interrupted")
           else "complete (every manifest contract ran)" if doc.get("complete") else "incomplete")
    seed = doc.get("hypothesis_seed")
    lines = [
        title,
        "",
        f"- adapter: `{doc['adapter']}` ({doc['adapter_distribution']})",
        f"- suite commit: {doc.get('suite_commit') or 'unknown'}; started {doc.get('started_at')}, "
        f"generated {doc.get('generated_at')}; Python {doc.get('python')}, pytest {doc.get('pytest')}, "
        f"Hypothesis {doc.get('hypothesis')}",
        f"- Hypothesis profile {doc.get('hypothesis_profile')}, seed {seed if seed is not None else 'random'}",
        f"- run: {run}; exit status {doc.get('exit_status')}",
        "",
        "| engine | verdict | server | provider | target | adapter's libraries | harness driver | storage "
        "| conditions not met | counts |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for engine, info in doc.get("engines", {}).items():
        storage = ", ".join(f"{k} {v}" for k, v in info.get("storage_conditions", {}).items()) or "-"
        unmet = "; ".join(f"{k}: {v}" for k, v in info.get("storage_conditions_unmet", {}).items()) or "-"
        examples = info.get("hypothesis_examples", {})
        counts = ", ".join(f"{k} {v}" for k, v in sorted(info.get("counts_by_kind", {}).items()))
        counts = f"hypothesis examples {sum(examples.values())} in {len(examples)} property contracts" + (
            f", {counts}" if counts else "")
        lines.append("| " + " | ".join(_cell(v) for v in (
            engine, info.get("verdict"), info.get("server_version"), info.get("provider"), info.get("target"),
            info.get("adapter_libraries") or "-", info.get("harness_driver"), storage, unmet, counts)) + " |")
    engines = list(doc.get("engines", {}))
    areas = sorted({area for info in doc.get("engines", {}).values() for area in info.get("areas", {})})
    if areas:
        lines += ["", "| area | " + " | ".join(engines) + " |", "|---" * (len(engines) + 1) + "|"]
        lines += [f"| {area} | " + " | ".join(doc["engines"][e].get("areas", {}).get(area, "-") for e in engines)
                  + " |" for area in areas]
    properties = sorted({c for info in doc.get("engines", {}).values() for c in info.get("hypothesis_examples", {})})
    if properties:
        lines += ["", "## Hypothesis examples per property contract", "",
                  "| contract | " + " | ".join(engines) + " |", "|---" * (len(engines) + 1) + "|"]
        for contract in properties:
            cells = []
            for engine in engines:
                info = doc["engines"][engine]
                ran = info.get("hypothesis_examples", {}).get(contract, "-")
                below = info.get("hypothesis_below_floor", {}).get(contract)
                cells.append(f"{ran} (floor {below['floor']})" if below else str(ran))
            lines.append(f"| `{contract}` | " + " | ".join(cells) + " |")
    failures = [t for t in doc.get("tests", []) if t["outcome"] in ("failed", "error") and not t.get("engine_down")]
    if failures:
        lines += ["", "## Failures", ""]
        lines += [f"- `{t['nodeid']}`: {t['reason']}" for t in failures]
    if doc.get("left_behind"):
        lines += ["", "## Left behind", ""]
        lines += [f"- {_cell(line)}" for line in doc["left_behind"]]
    lines += ["", "## What ran", ""]
    lines += [f"- {_cell(option)}" for option in doc.get("coverage_options", [])]
    lines += [f"- {p['kind']} {_cell(p['name'])} ({p.get('distribution') or 'not installed'})"
              + (f": report hooks {', '.join(p['report_hooks'])}" if p.get("report_hooks") and not p.get("trusted")
                 else "") for p in doc.get("plugins", [])]
    return "\n".join(lines) + "\n"
