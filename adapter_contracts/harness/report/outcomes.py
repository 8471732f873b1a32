"""What the report knows of one contract: its id, engine, area, outcome and reason; the suite's identity."""

from __future__ import annotations

import json
import pkgutil
import subprocess
from dataclasses import dataclass, field
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from adapter_contracts.harness.manifest import load_manifest
from adapter_contracts.harness.provenance import distribution_of

__all__ = [
    "DECLINED_PROPERTY",
    "ENGINE_DOWN_PROPERTY",
    "ENGINE_PROPERTY",
    "TALLY_PREFIX",
    "TestOutcome",
    "Verdict",
    "adapter_distribution",
    "contract_files",
    "coverage_options",
    "engine_of_nodeid",
    "is_contract",
    "suite_commit",
    "suite_version",
]

ENGINE_PROPERTY = "contract_engine"
TALLY_PREFIX = "tally:"
DECLINED_PROPERTY = "declined_capability"
#: On a report of a contract that could not run because its engine is down or its storage unusable.
ENGINE_DOWN_PROPERTY = "contract_engine_down"


def suite_version() -> str:
    """The version of the suite that runs: the manifest's, which ships with the code (the installed
    distribution's metadata may be an older editable install's)."""
    try:
        return load_manifest().suite_version
    except ValueError:
        try:
            return metadata.version("adapter-contracts")
        except metadata.PackageNotFoundError:
            return "unknown (not installed)"


@cache
def suite_commit() -> str | None:
    """The commit the suite runs from: its git checkout's HEAD (+dirty), or the installed wheel's
    recorded VCS commit, or None."""
    root = Path(__file__).resolve().parents[2]
    try:
        done = subprocess.run(["git", "-C", str(root), "describe", "--always", "--dirty", "--abbrev=12"],
                              capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        done = None
    if done is not None and done.returncode == 0 and done.stdout.strip():
        return done.stdout.strip()
    try:
        direct = metadata.distribution("adapter-contracts").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    commit = json.loads(direct).get("vcs_info", {}).get("commit_id") if direct else None
    return str(commit) if commit else None


def adapter_distribution(spec: str | None) -> str | None:
    """``name version`` of the distribution that installs the adapter's top-level package: the lookup
    the adapter's libraries get (:func:`distribution_of`, which reads every installed distribution's file
    list at most once a run, ~0.1 s)."""
    module = (spec or "").partition(":")[0].split(".", 1)[0]
    if not module:
        return None
    found = distribution_of(module)
    return found if found not in (None, "stdlib") else f"{module} (not an installed distribution)"


@dataclass
class TestOutcome:
    nodeid: str
    engine: str
    area: str
    outcome: str  # passed | failed | error | skipped
    reason: str = ""
    duration: float = 0.0
    declined: str | None = None
    engine_down: bool = False
    #: Hypothesis examples the harness counted (property contracts only)
    examples: int | None = None


@dataclass
class Verdict:
    engine: str
    certified: bool
    summary: str
    counts: dict[str, int] = field(default_factory=dict)
    #: what the certificate says of the engine beyond the line: contracts, examples, alterations
    details: dict[str, Any] = field(default_factory=dict)


@cache
def contract_files() -> frozenset[str]:
    """Every contract module the suite ships (contracts/test_*.py), as file names."""
    import adapter_contracts.contracts as contracts

    return frozenset(f"{m.name}.py" for m in pkgutil.iter_modules(contracts.__path__) if m.name.startswith("test_"))


def is_contract(nodeid: str) -> bool:
    """Whether ``nodeid`` is a contract (contracts/test_*.py), not one of the harness's own tests."""
    parts = nodeid.split("::", 1)[0].replace("\\", "/").split("/")
    return len(parts) >= 2 and parts[-2] == "contracts" and parts[-1] in contract_files()


def _area_of(nodeid: str) -> str:
    module = nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
    return module.removesuffix(".py").removeprefix("test_")


@cache
def _longest_first(engine_ids: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(engine_ids, key=len, reverse=True))


def engine_of_nodeid(nodeid: str, engine_ids: list[str]) -> str | None:
    """The engine of a test id whose parameters start with it (``test_x[postgres-17-client]``)."""
    name = nodeid.rsplit("::", 1)[-1]
    if not name.endswith("]") or "[" not in name:
        return None
    params = name[name.index("[") + 1:-1]
    for engine in _longest_first(tuple(engine_ids)):
        if params == engine or params.startswith(engine + "-"):
            return engine
    return None


def _reason(report: pytest.TestReport) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    crash = getattr(report.longrepr, "reprcrash", None)
    message = getattr(crash, "message", None) or str(report.longrepr or "")
    # The message's own lines (a layout failure lists one difference per line), not pytest's
    # re-rendering of the assert expression that follows them.
    lines: list[str] = []
    for line in message.strip().splitlines():
        if lines and line.lstrip().startswith("assert "):
            break
        lines.append(line.strip())
    return " | ".join(line for line in lines[:12] if line)[:1200]


def coverage_options(config: pytest.Config) -> list[str]:
    """The options of this run that change what is covered, as given."""
    option = config.option
    shown = []
    if getattr(option, "keyword", ""):
        shown.append(f"-k {option.keyword}")
    if getattr(option, "markexpr", ""):
        shown.append(f"-m {option.markexpr}")
    for name, flag in (("lf", "--lf"), ("stepwise", "--sw"), ("stepwise_skip", "--sw-skip")):
        if getattr(option, name, False):
            shown.append(flag)
    if getattr(option, "maxfail", 0):
        shown.append(f"--maxfail={option.maxfail}")
    shown += [f"--deselect {d}" for d in getattr(option, "deselect", None) or ()]
    shown += [f"--ignore {i}" for i in getattr(option, "ignore", None) or ()]
    shown += [f"node id {arg}" for arg in config.args if "::" in arg]
    return shown
