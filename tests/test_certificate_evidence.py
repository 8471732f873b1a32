"""A certificate counts what the suite holds, at full strength, and cannot outlive its run: each way an
outside team was seen to get a false ``CERTIFIED`` (issue 17), tried as they tried it, in a project of its own.

Every child run is as cheap as its point allows: the memory engine, the
correct reference (or one broken gallery entry), the fewest contract files, and
the ``repro`` profile (no generated examples) where the budget is not the point.
The costs on a quiet 2-core machine are in each test's docstring.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from adapter_contracts.harness.manifest import load_manifest
from adapter_contracts.harness.profiles import PROFILES
from tests.inner import child_env, share_hypothesis_caches

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.heavy
REFERENCE = "tests.gallery.correct:reference"
CASEFOLDED = "tests.gallery.keys:email_casefolded"
#: A certificate from an earlier run at the same path, as the next run finds it.
EARLIER = {"engines": {"memory": {"certified": True, "verdict": "CERTIFIED: 575 of 575 contracts passed"}},
           "exit_status": 0, "complete": True}


def _run(project: Path, *args: str, profile: str = "repro") -> tuple[subprocess.CompletedProcess[str], str]:
    """``python -m pytest`` from ``project``, which sees this checkout's packages as an installed suite."""
    env = child_env(CONTRACT_HYPOTHESIS_PROFILE=profile)
    share_hypothesis_caches(project)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args], cwd=project,
                          env=env, capture_output=True, text=True, timeout=600, check=False)
    return done, done.stdout + done.stderr


def _verdict(out: str, engine: str = "memory") -> str:
    return next((line for line in out.splitlines()
                 if line.startswith((f"{engine}: NOT CERTIFIED", f"{engine}: CERTIFIED", f"{engine}: CHECKED"))), "")


def _certificate(base: Path) -> tuple[dict[str, Any], str]:
    return json.loads(base.with_suffix(".json").read_text()), base.with_suffix(".md").read_text()


def _earlier(base: Path) -> None:
    base.with_suffix(".json").write_text(json.dumps(EARLIER))
    base.with_suffix(".md").write_text("memory: CERTIFIED: 575 of 575 contracts passed\n")


def test_a_conftest_that_drops_contracts_is_not_certified(tmp_path: Path) -> None:
    """The whole suite minus the contract the conftest drops, no examples (about 5 s)."""
    (tmp_path / "conftest.py").write_text(
        "def pytest_collection_modifyitems(items):\n"
        "    items[:] = [i for i in items if 'test_email_case_is_str_lower_across_unicode' not in i.nodeid]\n")
    report = tmp_path / "report"
    done, out = _run(tmp_path, "--pyargs", "adapter_contracts.contracts", "--adapter", REFERENCE,
                     "--conformance-report", str(report))
    total = len(load_manifest().engines["memory"])
    assert done.returncode == 1, out[-3000:]
    assert f"1 of {total} manifest contracts not collected (users)" in _verdict(out), out[-3000:]
    document, markdown = _certificate(report)
    assert document["complete"] is False
    assert document["engines"]["memory"]["contracts"]["missing"] == [
        "test_users.py::test_email_case_is_str_lower_across_unicode[*]"]
    assert f"1 of {total} manifest contracts not collected" in markdown


def test_python_functions_in_the_users_ini_is_not_certified_and_every_option_is_listed(tmp_path: Path) -> None:
    """Only the contracts named test_c*, no examples (about 4 s)."""
    (tmp_path / "pytest.ini").write_text("[pytest]\npython_functions = test_c*\n")
    report = tmp_path / "report"
    done, out = _run(tmp_path, "-o", "xfail_strict=true", "-p", "tests.plugged_factories", "--hypothesis-seed", "7",
                     "--ignore-glob", "*/nothing/*", "--pyargs", "adapter_contracts.contracts",
                     "--adapter", REFERENCE, "--conformance-report", str(report))
    assert done.returncode == 1, out[-3000:]
    assert "manifest contracts not collected" in _verdict(out), out[-3000:]
    document, _ = _certificate(report)
    # Under CI Hypothesis derandomizes every profile that does not say otherwise, and then ignores a seed.
    seed = "derandomized" if PROFILES["repro"].derandomize else "7"
    assert (document["hypothesis_profile"], document["hypothesis_seed"]) == ("repro", seed)
    options = "\n".join(document["coverage_options"])
    for given in ("ini pytest.ini: python_functions = test_c*", "-o xfail_strict=true", "-p tests.plugged_factories",
                  "--hypothesis-seed 7", "--ignore-glob */nothing/*", "env CONTRACT_HYPOTHESIS_PROFILE=repro"):
        assert given in options, options


def test_a_contracts_folder_of_ones_own_is_foreign(tmp_path: Path) -> None:
    """One trivial test per contract module, named like the suite's (about 2 s)."""
    folder = tmp_path / "contracts"
    folder.mkdir()
    for name in load_manifest().files:
        if name.startswith("contracts/test_"):
            (tmp_path / name).write_text("def test_it_works(adapter):\n    assert adapter is not None\n")
    report = tmp_path / "report"
    done, out = _run(tmp_path, "--adapter", REFERENCE, "--conformance-report", str(report), "contracts")
    assert done.returncode == 1, out[-3000:]
    verdict = _verdict(out)
    assert verdict.startswith("memory: NOT CERTIFIED"), out[-3000:]
    assert "foreign contracts, not the installed suite's" in verdict, verdict
    document, _ = _certificate(report)
    assert document["engines"]["memory"]["certified"] is False
    assert document["engines"]["memory"]["contracts"]["passed"] == 0


def test_a_weak_profile_loaded_after_the_harness_is_a_weakened_budget(tmp_path: Path) -> None:
    """The four billing properties with one example each (about 3 s)."""
    (tmp_path / "conftest.py").write_text(
        "import pytest\nfrom hypothesis import settings\n\n\n@pytest.hookimpl(trylast=True)\n"
        "def pytest_configure(config):\n"
        "    settings.register_profile('weak', settings(settings(), max_examples=1))\n"
        "    settings.load_profile('weak')\n")
    report = tmp_path / "report"
    done, out = _run(tmp_path, "--pyargs", "adapter_contracts.contracts.test_billing_properties",
                     "--adapter", REFERENCE, "--conformance-report", str(report), profile="ci")
    assert done.returncode == 1, out[-3000:]
    assert "Hypothesis budget below ci: 4 property contracts ran fewer examples than the manifest's floor" \
        in _verdict(out), out[-3000:]
    document, _ = _certificate(report)
    below = document["engines"]["memory"]["hypothesis_below_floor"]
    assert {v["ran"] for v in below.values()} == {1}, below


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_a_plugin_that_rewrites_failures_is_an_altered_outcome(tmp_path: Path, workers: list[str]) -> None:
    """A plugin registered from the project's conftest (whose own hooks reach only tests below it) turns
    failures into passes: the users contracts of the casefolding entry (about 2 s serial, 5 s under xdist)."""
    (tmp_path / "conftest.py").write_text(
        "import pytest\n\n\nclass Forgiving:\n    @pytest.hookimpl(wrapper=True)\n"
        "    def pytest_runtest_makereport(self, item, call):\n        report = yield\n"
        "        if report.failed:\n            report.outcome, report.longrepr = 'passed', None\n"
        "        return report\n\n\ndef pytest_configure(config):\n"
        "    config.pluginmanager.register(Forgiving(), 'forgiving')\n")
    report = tmp_path / "report"
    done, out = _run(tmp_path, *workers, "--pyargs", "adapter_contracts.contracts.test_users",
                     "--adapter", CASEFOLDED, "--conformance-report", str(report))
    assert done.returncode == 1, out[-3000:]
    verdict = _verdict(out)
    assert verdict.startswith("memory: NOT CERTIFIED: outcome altered after the contract ran (plugin "), verdict
    assert f"forgiving ({tmp_path / 'conftest.py'})" in verdict, verdict
    document, _ = _certificate(report)
    assert document["exit_status"] == 1
    forgiving = [p for p in document["plugins"] if p["name"] == "forgiving"]
    assert forgiving == [{**forgiving[0], "file": str(tmp_path / "conftest.py"),
                          "report_hooks": ["pytest_runtest_makereport"], "trusted": False}], document["plugins"]
    # The checkout's own conftest.py is listed too when the suite runs from a checkout: look the project's up by file.
    conftests = [p for p in document["plugins"] if p["kind"] == "conftest"]
    assert [p["file"] for p in conftests].count(str(tmp_path / "conftest.py")) == 1, conftests


def test_a_failed_rerun_replaces_an_earlier_certificate(tmp_path: Path) -> None:
    """The users contracts of the casefolding entry (about 3 s)."""
    report = tmp_path / "report"
    _earlier(report)
    done, out = _run(tmp_path, "--pyargs", "adapter_contracts.contracts.test_users", "--adapter", CASEFOLDED,
                     "--conformance-report", str(report))
    assert done.returncode == 1, out[-3000:]
    document, markdown = _certificate(report)
    assert document["engines"]["memory"]["certified"] is False
    assert (document["status"], document["exit_status"], document["complete"]) == ("finished", 1, False)
    assert "memory: NOT CERTIFIED" in markdown.replace("| memory | NOT CERTIFIED", "memory: NOT CERTIFIED")


@pytest.mark.parametrize(("args", "status", "said"), [
    (["--engine", "oracle"], "usage error", "--engine=oracle is not a registered engine"),
    (["--no-such-option"], "in progress", "this run has not finished"),
    (["--adapter", "tests.plugged_factories:exits_mid_run", "-p", "tests.plugged_factories"], "in progress",
     "this run has not finished"),
], ids=["harness-usage-error", "pytest-usage-error", "os-exit-mid-run"])
def test_a_run_that_ends_without_a_verdict_leaves_no_earlier_one(tmp_path: Path, args: list[str], status: str,
                                                                  said: str) -> None:
    """A usage error of the harness's or of pytest's own, and an adapter that calls os._exit(0) in a
    serial run (exit 0, no verdict printed): about 1-2 s each."""
    report = tmp_path / "report"
    _earlier(report)
    done, out = _run(tmp_path, *args, "--conformance-report", str(report), "--pyargs",
                     "adapter_contracts.contracts.test_users")
    document, markdown = _certificate(report)
    assert document["status"] == status, (document, out[-3000:])
    assert document["engines"] == {}
    assert said in (document.get("note", "") + markdown), markdown
    assert "CERTIFIED: 575" not in markdown
    if status == "usage error":
        assert done.returncode == 4
        assert document["exit_status"] == 4


def test_an_unwritable_report_path_is_a_usage_error_before_anything_runs(tmp_path: Path) -> None:
    """About 1 s."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    done, out = _run(tmp_path, "--conformance-report", str(blocker / "report"), "--pyargs",
                     "adapter_contracts.contracts.test_users")
    assert done.returncode == 4, out[-3000:]
    errors = [line for line in out.splitlines() if "error" in line.lower()]
    assert errors == [f"ERROR: --conformance-report={blocker / 'report'}: cannot write report.json and report.md "
                      f"there (Not a directory: {blocker / 'report.json'}); pass a path in a writable directory"] \
        or len(errors) == 1, out[-3000:]
    assert "passed" not in out, out[-3000:]
