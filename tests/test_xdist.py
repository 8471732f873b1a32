"""Under pytest-xdist the controller still prints the conformance matrix and each engine's server.

Workers provision their own engines (their own database or throwaway server);
the controller collects nothing, so the engine travels in every report's
user_properties and the provisioning facts in each worker's ``workeroutput``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from adapter_contracts.harness.manifest import load_manifest
from tests.inner import CONTRACTS, child_env

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.heavy


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=600, check=False,
    )


def test_parallel_run_reports_like_a_serial_one(tmp_path: Path) -> None:
    """Also the correct adapter's certificate: every manifest contract, every property contract with
    the examples the harness counted (at least the manifest's ci floor), the run's real exit status.
    The stand-in beside it runs one contract file, enough for its facts to travel from the workers
    (a complete stand-in run is not certified either: tests/test_verdicts.py).  About 18 CPU-s, 12-24 s."""
    pytest.importorskip("xdist")
    report = tmp_path / "report"
    done = _run(["-n", "2", "--engine", "memory,mongomock", "--conformance-report", str(report),
                 "-k", "memory or test_users", CONTRACTS])
    out = done.stdout
    assert done.returncode == 0, out[-3000:] + done.stderr[-2000:]
    matrix = out.split("= conformance =", 1)[1]
    manifest = load_manifest()
    line = re.search(r"^memory: CERTIFIED: (\d+) of (\d+) contracts passed \(manifest (\w+), suite (\S+), ci budget\)",
                     matrix, re.MULTILINE)
    assert line is not None, matrix
    assert line.groups() == (str(len(manifest.engines["memory"])),) * 2 + (manifest.short, manifest.suite_version)
    assert "mongomock" in matrix.splitlines()[1], matrix
    engines = out.split("= contract engines =", 1)[1]
    assert "memory: reference model" in engines, engines
    assert "mongomock: mongomock" in engines, engines
    assert "STAND-IN" in engines, engines
    document = json.loads(report.with_suffix(".json").read_text())
    passed = {name: info["counts"].get("passed", 0) for name, info in document["engines"].items()}
    assert set(passed) == {"memory", "mongomock"}, passed
    assert passed["memory"] > 400, passed
    assert passed["mongomock"] > 20, passed
    assert document["engines"]["memory"]["certified"] is True
    assert document["engines"]["mongomock"]["certified"] is False  # a stand-in certifies nothing
    assert (document["exit_status"], document["status"]) == (0, "finished")
    # The run is complete for memory, not for the stand-in's one file (a complete run under xdist:
    # tests/test_installed_wheel.py's certification).
    assert (document["engines"]["memory"]["complete"], document["engines"]["mongomock"]["complete"]) == (True, False)
    assert document["complete"] is False
    assert document["manifest"]["short"] == manifest.short
    examples = document["engines"]["memory"]["hypothesis_examples"]
    assert set(examples) == set(manifest.examples), "a property contract is missing from the certificate"
    assert all(examples[c] >= manifest.examples[c] > 0 for c in examples), examples
    assert (document["hypothesis_profile"], document["hypothesis_seed"]) == ("ci", "derandomized")
    assert any(p["name"] == "xdist" for p in document["plugins"]), document["plugins"]


def test_parallel_partial_run_is_not_certified(tmp_path: Path) -> None:
    """One contract file is a partial run: every contract in it passes, the verdict still says no,
    and a run that asked for a report fails because it certified nothing."""
    pytest.importorskip("xdist")
    report = tmp_path / "report"
    done = _run(["-n", "2", "--engine", "memory", "--conformance-report", str(report),
                 f"{CONTRACTS}/test_capabilities.py"])
    out = done.stdout
    assert done.returncode == 1, out[-3000:] + done.stderr[-2000:]
    assert "memory: NOT CERTIFIED: partial run: contract areas not collected: admin_links" in out, out[-3000:]
    assert "contract harness: --conformance-report asks for a certificate, and no engine was certified" in out, \
        out[-3000:]
    document = json.loads(report.with_suffix(".json").read_text())
    assert document["engines"]["memory"]["certified"] is False
    assert "partial run" in report.with_suffix(".md").read_text()


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_required_engine_unavailable_stops_with_its_reason(workers: list[str]) -> None:
    """Serial or parallel, a required engine that cannot be provisioned ends the run with exit
    status 3 and the reason, never with an INTERNALERROR that hides it (xdist's crashed item)."""
    pytest.importorskip("xdist")
    done = _run([*workers, "--engine", "memory,postgres", "--require-engine", "postgres",
                 "--provider", "postgres=dsn", f"{CONTRACTS}/test_users.py"])
    out = done.stdout + done.stderr
    assert done.returncode == 3, out[-3000:]
    assert "INTERNALERROR" not in out, out[-3000:]
    assert "required engine unavailable: postgres not available; tried dsn: no --postgres-dsn" in out, out[-3000:]
