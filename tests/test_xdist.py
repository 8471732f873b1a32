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
from tests.child_budget import EXAMPLES
from tests.inner import CONTRACTS, child_env

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.heavy
#: Contract files with property contracts, for a run whose facts are checked, not its certificate.
FILES = (f"{CONTRACTS}/test_users.py", f"{CONTRACTS}/test_billing_properties.py")


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args],
        cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=600, check=False,
    )


def test_parallel_run_reports_like_a_serial_one(tmp_path: Path) -> None:
    """The controller, which collects nothing, prints the matrix and each engine's facts from what its
    workers sent, and writes every engine's counts and Hypothesis examples into the report.  Every
    contract passes, yet a partial run is not certified, and a run that asked for a report fails
    because it certified nothing.

    A check, not a certificate: a few contract files at the child budget (tests/child_budget.py),
    about 3 CPU-s.  The complete certificate under xdist (every manifest contract, the examples at
    least the ci floor, the exit status) is the installed wheel's (tests/test_installed_wheel.py),
    which certified memory here too until it cost 13-22 CPU-s of every run of the suite."""
    pytest.importorskip("xdist")
    report = tmp_path / "report"
    done = _run(["-n", "2", "-p", "tests.child_budget", "--engine", "memory,mongomock",
                 "--conformance-report", str(report), *FILES])
    out = done.stdout
    # No engine certified while a report was asked for: exit 1.
    assert done.returncode == 1, out[-3000:] + done.stderr[-2000:]
    assert "contract harness: --conformance-report asks for a certificate, and no engine was certified" in out, \
        out[-3000:]
    matrix = out.split("= conformance =", 1)[1]
    assert matrix.splitlines()[1].split() == ["area", "memory", "mongomock"], matrix
    assert re.search(r"^users +pass (\d+) +pass \1 *$", matrix, re.MULTILINE), matrix
    assert "memory: NOT CERTIFIED: partial run: contract areas not collected: admin_links" in matrix, matrix
    assert re.search(r"^memory: NOT CERTIFIED: partial run: .*Hypothesis budget below ci: 4 property contracts ran "
                     rf"fewer .*{EXAMPLES} of \d+", matrix, re.MULTILINE), matrix
    engines = out.split("= contract engines =", 1)[1]
    assert "memory: reference model" in engines, engines
    assert "mongomock: mongomock" in engines, engines
    assert "STAND-IN" in engines, engines
    document = json.loads(report.with_suffix(".json").read_text())
    collected = {name: info["counts"] for name, info in document["engines"].items()}
    assert set(collected) == {"memory", "mongomock"}, collected
    # Every collected contract of both engines passed, on whichever worker it ran.
    assert set(collected["memory"]) == set(collected["mongomock"]) == {"passed"}, collected
    assert collected["memory"]["passed"] == collected["mongomock"]["passed"] > 50, collected
    assert document["engines"]["memory"]["certified"] is False
    assert document["engines"]["mongomock"]["certified"] is False
    assert "partial run" in report.with_suffix(".md").read_text()
    assert (document["exit_status"], document["status"]) == (1, "finished")
    # The examples each worker counted reached the report: the child budget's, per property contract.
    examples = document["engines"]["memory"]["hypothesis_examples"]
    manifest = load_manifest()
    assert set(examples) == {c for c in manifest.examples if c.startswith(tuple(Path(f).name for f in FILES))}, examples
    assert set(examples.values()) == {EXAMPLES}, examples
    assert (document["hypothesis_profile"], document["hypothesis_seed"]) == ("ci", "derandomized")
    assert any(p["name"] == "xdist" for p in document["plugins"]), document["plugins"]


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
