"""Generating the contract manifest (``--write``) and checking it against the contracts (``--check``).

Both collect the installed contracts for every engine kind in this process,
isolated from the current directory's ini file, conftests and ``CONTRACT_*``
variables.  ``--write`` also runs the reference adapter's property contracts at
the ``ci`` budget in a child pytest run and records how many examples each ran.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapter_contracts.harness.engines import ENGINES, engine_class
from adapter_contracts.harness.manifest import (
    MANIFEST_FILE,
    PACKAGE_ROOT,
    REGENERATE,
    Manifest,
    abstract_id,
    interface_fingerprint,
    is_genuine,
    load_manifest,
    suite_digests,
)

__all__ = ["check", "collect", "measure_examples", "write"]

PYPROJECT = PACKAGE_ROOT.parent / "pyproject.toml"


def reference_kind() -> str:
    """The engine whose built-in adapter is the reference (the registry marks it ``reference``):
    its example counts are the floors."""
    (name,) = [name for name in ENGINES if engine_class(name).reference]
    return name


@contextlib.contextmanager
def _isolated() -> Iterator[Path]:
    """A scratch rootdir with an empty ini file, and no CONTRACT_*/PYTEST_* variables steering the run."""
    saved = {key: value for key, value in os.environ.items() if key.startswith(("CONTRACT_", "PYTEST_"))}
    for key in saved:
        del os.environ[key]
    try:
        with tempfile.TemporaryDirectory(prefix="contract-manifest-") as scratch:
            root = Path(scratch)
            (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
            yield root
    finally:
        os.environ.update(saved)


def _args(root: Path) -> list[str]:
    return ["-p", "no:cacheprovider", "--noconftest", "-c", str(root / "pytest.ini"), "--rootdir", str(root)]


class _Collected:
    def __init__(self) -> None:
        self.engines: dict[str, set[str]] = {}
        self.properties: set[str] = set()
        self.foreign: list[str] = []

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            engine = getattr(getattr(item, "callspec", None), "params", {}).get("engine")
            if not isinstance(engine, str):
                continue
            if not is_genuine(item.path, getattr(item, "module", None)):
                self.foreign.append(item.nodeid)
                continue
            contract = abstract_id(item.nodeid, engine)
            if contract is None:
                continue
            self.engines.setdefault(engine, set()).add(contract)
            if getattr(getattr(item, "obj", None), "hypothesis", None) is not None:
                self.properties.add(contract)


def collect() -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """Every engine kind's contract ids as collection gives them (each engine the registry knows: a new
    engine or a new contract is in the manifest after ``--write``), and the ids of ``@given`` contracts."""
    collected = _Collected()
    printed = io.StringIO()
    with _isolated() as root, contextlib.redirect_stdout(printed):
        code = pytest.main([*_args(root), "--collect-only", "-q", "--engine", ",".join(ENGINES),
                            "--pyargs", "adapter_contracts.contracts"], plugins=[collected])
    if code != 0 or collected.foreign:
        raise SystemExit(f"collecting the contracts failed (exit {int(code)}; foreign: {collected.foreign[:3]}):\n"
                         f"{printed.getvalue()[-3000:]}")
    return ({kind: tuple(sorted(ids)) for kind, ids in sorted(collected.engines.items())},
            frozenset(collected.properties))


def measure_examples() -> dict[str, int]:
    """Run the reference's contracts at the ci budget; the examples each property contract ran."""
    with _isolated() as root:
        report = root / "report"
        env = {**os.environ, "CONTRACT_HYPOTHESIS_PROFILE": "ci"}
        done = subprocess.run(
            [sys.executable, "-m", "pytest", *_args(root), "-q", "-n", "2", "--engine", reference_kind(),
             "--conformance-report", str(report), "--pyargs", "adapter_contracts.contracts"],
            env=env, capture_output=True, text=True, timeout=1800, check=False, cwd=root)
        try:
            document = json.loads(report.with_suffix(".json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise SystemExit(f"the reference's run wrote no report (exit {done.returncode}):\n"
                             f"{done.stdout[-3000:]}{done.stderr[-2000:]}") from None
    failed = [t["nodeid"] for t in document["tests"] if t["outcome"] != "passed"]
    if failed:
        raise SystemExit(f"the reference failed its own contracts ({len(failed)}: {failed[:3]}); fix that first")
    examples: dict[str, int] = {}
    for test in document["tests"]:
        contract = abstract_id(test["nodeid"], test["engine"])
        if contract is not None and test.get("examples") is not None:
            examples[contract] = int(test["examples"])
    return examples


def pyproject_version() -> str | None:
    try:
        return str(tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return None


def _hypothesis_version() -> str:
    import hypothesis

    return str(hypothesis.__version__)


def _differences(old: Manifest, engines: dict[str, tuple[str, ...]]) -> list[str]:
    lines = []
    for kind in sorted(set(old.engines) | set(engines)):
        before, after = set(old.engines.get(kind, ())), set(engines.get(kind, ()))
        for label, ids in (("not in the manifest", after - before), ("no longer collected", before - after)):
            if ids:
                shown = ", ".join(sorted(ids)[:3]) + (", ..." if len(ids) > 3 else "")
                lines.append(f"{kind}: {len(ids)} {label}: {shown}")
    files = suite_digests()
    changed = sorted(name for name in set(files) | set(old.files) if files.get(name) != old.files.get(name))
    if changed:
        lines.append(f"suite files changed: {', '.join(changed[:6])}{', ...' if len(changed) > 6 else ''}")
    if interface_fingerprint() != old.interface:
        lines.append("the public interface (adapter_contracts.__all__) changed")
    return lines


def check() -> int:
    try:
        old = load_manifest()
    except ValueError as exc:
        print(exc)
        return 1
    engines, properties = collect()
    lines = _differences(old, engines)
    unmeasured = sorted(properties - set(old.examples))
    if unmeasured:
        lines.append(f"property contracts without an example floor: {', '.join(unmeasured[:3])}")
    if lines:
        print(f"the contract manifest {MANIFEST_FILE} is out of date:")
        print("\n".join(f"  {line}" for line in lines))
        print(f"regenerate it with `{REGENERATE}`")
        return 1
    print(f"manifest {old.short} (suite {old.suite_version}) matches the contracts")
    return 0


def write() -> int:
    engines, properties = collect()
    examples = measure_examples()
    missing = sorted(properties - set(examples))
    if missing:
        print(f"property contracts the reference ({reference_kind()}) does not run, so no floor was measured: "
              f"{', '.join(missing)}; measure them on another kind before shipping")
        return 1
    try:
        old: Manifest | None = load_manifest()
    except ValueError:
        old = None
    version = pyproject_version() or (old.suite_version if old else "0.0.0")
    manifest = Manifest(version, suite_digests(), engines, dict(sorted(examples.items())),
                        interface_fingerprint(), _hypothesis_version())
    MANIFEST_FILE.write_text(manifest.to_json(), encoding="utf-8")
    load_manifest.cache_clear()
    print(f"wrote {MANIFEST_FILE}: manifest {manifest.short} (suite {version}), "
          + ", ".join(f"{kind} {len(ids)}" for kind, ids in engines.items()))
    if old is not None and old.digest != manifest.digest:
        print(f"the manifest changed ({old.short} -> {manifest.short}): unless you already did, bump the version "
              f"in pyproject.toml, add a CHANGELOG.md entry `## <version> (manifest {manifest.short})` saying "
              "what an adapter author must change, and run this again")
    return 0


def changelog_entries(text: str) -> list[dict[str, Any]]:
    """``## 0.3.0 (manifest 1a2b3c4d5e6f)`` headings of CHANGELOG.md, newest first."""
    heading = re.compile(r"^## (\S+) \(manifest ([0-9a-f]{12})\)", re.MULTILINE)
    return [{"version": m.group(1), "manifest": m.group(2)} for m in heading.finditer(text)]
