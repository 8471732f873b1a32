"""Installed, the plugin changes nothing in a project that does not use it (issue 13, item 2).

The project below is unrelated to the harness: it has its own Hypothesis
profile, chosen by HYPOTHESIS_PROFILE, and a fixture named like one of ours.
It runs with this package installed (the plugin loads through its pytest11
entry point) and must see no harness header lines, its own profile, and no
validation of variables that are not addressed to the harness.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness.plugin import ACTIVE_PLUGIN
from tests.inner import child_env

#: The name of the plugin's pytest11 entry point (pyproject.toml).
ENTRY_POINT = "harness.plugin"

pytestmark = pytest.mark.heavy

PROJECT_CONFTEST = '''
from hypothesis import settings

settings.register_profile("nightly", max_examples=7)
settings.load_profile("nightly")
'''

PROJECT_TEST = '''
import os
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st


@pytest.fixture
def adapter():
    return "the project's own adapter fixture"


def test_own_profile_is_untouched():
    assert settings().max_examples == 7
    # The whole active settings, for the harness-free run to compare with.
    Path(os.environ["SETTINGS_SEEN"]).write_text(repr(settings()))


def test_own_fixture_wins(adapter):
    assert adapter == "the project's own adapter fixture"


@given(st.integers())
def test_a_property(n):
    assert isinstance(n, int)
'''


def _run_project(project: Path, *args: str, seen: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-v", *args], cwd=project, capture_output=True, text=True, timeout=120,
        env=child_env(HYPOTHESIS_PROFILE="nightly", CONTRACT_ENGINES="not-an-engine", SETTINGS_SEEN=str(seen)),
        check=False,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    assert "3 passed" in out, out[-3000:]
    return out


def test_an_unrelated_project_runs_as_if_the_harness_were_not_installed(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "conftest.py").write_text(PROJECT_CONFTEST)
    (project / "test_project.py").write_text(PROJECT_TEST)
    (project / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    out = _run_project(project, seen=tmp_path / "with-harness")
    harness_lines = [line for line in out.splitlines()
                     if "contract" in line.lower() and not line.startswith("plugins: ")]
    assert harness_lines == [], out[-3000:]
    # The project's settings are exactly what they are with the harness's plugin blocked.  Not
    # a fixed expectation: Hypothesis itself picks other defaults when CI is set.
    _run_project(project, "-p", f"no:{ENTRY_POINT}", seen=tmp_path / "without-harness")
    assert (tmp_path / "with-harness").read_text() == (tmp_path / "without-harness").read_text()
    plugins = subprocess.run(
        [sys.executable, "-m", "pytest", "--trace-config", "--co", "-q"], cwd=project, capture_output=True,
        text=True, timeout=120, env=child_env(), check=False,
    ).stdout
    assert ENTRY_POINT in plugins, "the entry point is not installed: the test would prove nothing"
    assert ACTIVE_PLUGIN not in plugins


def test_an_outside_project_certifies_an_adapter_through_the_installed_contracts(tmp_path: Path) -> None:
    """The README's certification command, run from another project (so the contracts are
    collected from outside its rootdir), under xdist: the harness wakes up and certifies."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "--pyargs", "contracts",
         "--adapter", "examples.sqlite_adapter:make_adapter", "--conformance-report", str(tmp_path / "report")],
        cwd=tmp_path, capture_output=True, text=True, timeout=600, env=child_env(), check=False,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    assert "sqlite: CERTIFIED: all " in out, out[-3000:]
