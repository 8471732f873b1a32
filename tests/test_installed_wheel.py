"""The built wheel in a fresh virtualenv, as an outside team installs it (issue 13, items 1 and 2).

The team's project has top-level packages of its own named like this repository's
directories (``adapters``, ``contracts``, ``harness``, ``strategies``, ``examples``), its own
Hypothesis profile chosen by HYPOTHESIS_PROFILE, and a fixture named like one of ours.  In it:

* the README's certification command certifies the example SQLite adapter through its
  import path under the import root, on two xdist workers;
* the project's own tests run as if this package were not installed: the same Hypothesis
  settings as with the plugin blocked, no header line of the harness, its own fixture, and
  no validation of a ``CONTRACT_*`` variable it was not given for.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from adapter_contracts.harness.manifest import load_manifest
from tests.inner import child_env

pytestmark = pytest.mark.heavy

ROOT = Path(__file__).resolve().parents[1]
#: The name of the plugin's pytest11 entry point (pyproject.toml).
ENTRY_POINT = "adapter_contracts"
#: What is not part of a build: caches, earlier builds, the suite's own tests.
NOT_BUILT = shutil.ignore_patterns(".git", ".tox", "build", "dist", "*.egg-info", "__pycache__", ".*_cache",
                                   ".hypothesis", "reports", "tests", "bench")

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

import adapters.base
from harness.plugin import OURS


@pytest.fixture
def adapter():
    return "the project's own adapter fixture"


def test_own_packages_are_imported():
    assert adapters.base.OURS and OURS


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


def _run(python: Path, project: Path, *args: str, timeout: int = 600, **env: str) -> str:
    done = subprocess.run([str(python), "-m", *args], cwd=project, capture_output=True, text=True, timeout=timeout,
                          env=child_env(**env), check=False)
    out = done.stdout + done.stderr
    assert done.returncode == 0, f"{' '.join(args)} exited {done.returncode}:\n{out[-4000:]}"
    return out


#: What a build reads: the project's metadata (pyproject.toml, its readme) and the package
#: (what lies outside it is never in the wheel: test_the_wheel_installs_only_the_import_root).
BUILT_FROM = ("pyproject.toml", "README.md", "adapter_contracts")


def _content_hash(root: Path) -> str:
    """What decides the built wheel: every file a build reads, by path and content, and this Python.

    Only those: while the suite runs, its tests make and remove files elsewhere in the checkout.
    """
    digest = hashlib.sha256(f"{sys.version}\n{sys.executable}\n".encode())
    paths: list[Path] = []
    for top in BUILT_FROM:
        if (root / top).is_file():
            paths.append(root / top)
        for directory, names, files in os.walk(root / top):
            skip = NOT_BUILT(directory, names + files)
            names[:] = sorted(name for name in names if name not in skip)
            paths += [Path(directory, name) for name in sorted(files) if name not in skip]
    for path in paths:
        digest.update(f"{path.relative_to(root)}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _build(base: Path) -> Path:
    """Build the wheel from a copy of this checkout into ``base``/dist and install it into ``base``/venv."""
    source = base / "source"
    shutil.copytree(ROOT, source, ignore=NOT_BUILT)
    _run(Path(sys.executable), base, "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(base / "dist"),
         str(source))
    (wheel,) = (base / "dist").glob("adapter_contracts-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True, timeout=120)
    python = base / "venv" / "bin" / "python"
    _run(python, base, "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel))
    shutil.rmtree(source)
    return python


@pytest.fixture(scope="module")
def installed() -> Path:
    """A virtualenv holding the wheel built from this checkout (and its dependencies).

    Built once per content of the checkout's package files (and Python): every later run from
    this checkout, and the other xdist worker, reuses it from the temp directory, since a wheel
    of the same files is the same wheel.  Any change to a built file makes a new one (and
    removes the checkout's older ones).  Building costs about 20 s, reusing nothing.
    """
    checkout = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
    # Not named "contract...": the project's runs below must print no line naming the harness.
    cache = Path(tempfile.gettempdir()) / f"built-wheel-{os.getuid()}-{checkout}"
    cache.mkdir(exist_ok=True)
    base = cache / _content_hash(ROOT)
    python = base / "venv" / "bin" / "python"
    with open(cache / "lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other xdist worker waits for the build, then reuses it
        if not ((base / "complete").exists() and python.exists()):
            shutil.rmtree(base, ignore_errors=True)
            for stale in cache.iterdir():  # earlier contents' builds
                if stale.is_dir():
                    shutil.rmtree(stale, ignore_errors=True)
            base.mkdir()
            _build(base)
            (base / "complete").write_text("built\n")
    return python


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project whose own top-level packages carry this repository's directory names."""
    for name in ("adapters", "contracts", "harness", "strategies", "examples"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(f'"""The project\'s own {name}."""\n')
    (tmp_path / "adapters" / "base.py").write_text("OURS = True\n")
    (tmp_path / "harness" / "plugin.py").write_text("OURS = True\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_project.py").write_text(PROJECT_TEST)
    (tmp_path / "conftest.py").write_text(PROJECT_CONFTEST)
    # A strict project: a deprecation warning out of the plugin would fail its runs.
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\ntestpaths = tests\naddopts = -p no:cacheprovider\nfilterwarnings = error\n")
    return tmp_path


def test_the_wheel_installs_only_the_import_root(installed: Path) -> None:
    (wheel,) = (installed.parents[2] / "dist").glob("adapter_contracts-*.whl")
    files = zipfile.ZipFile(wheel).namelist()
    outside = {file.split("/")[0] for file in files if ".dist-info/" not in file}
    assert outside == {"adapter_contracts"}, files
    assert "adapter_contracts/examples/sqlite_adapter/adapter.py" in files
    assert "adapter_contracts/examples/sqlite_schema.sql" in files
    assert "adapter_contracts/adapters/sql/postgres.sql" in files


def test_the_readme_command_certifies_beside_same_named_packages(installed: Path, project: Path) -> None:
    report = project / "report"
    out = _run(installed, project, "pytest", "-n", "2", "--pyargs", "adapter_contracts.contracts",
               "--adapter", "adapter_contracts.examples.sqlite_adapter:make_adapter",
               "--conformance-report", str(report))
    # The certificate under xdist (the suite's one complete certification outside the gallery): every
    # manifest contract, every property contract with the examples the workers counted (at least the
    # manifest's ci floor), the run's real exit status.  The wheel holds this checkout's manifest.
    manifest = load_manifest()
    line = re.search(r"^sqlite: CERTIFIED: (\d+) of (\d+) contracts passed \(manifest (\w+), suite (\S+), ci budget\)",
                     out, re.MULTILINE)
    assert line is not None, out[-3000:]
    assert line.groups() == (str(len(manifest.contracts("sqlite"))),) * 2 + (manifest.short, manifest.suite_version)
    certificate = json.loads(report.with_suffix(".json").read_text())
    assert certificate["complete"] is True
    engine = certificate["engines"]["sqlite"]
    assert (engine["certified"], engine["complete"]) == (True, True)
    assert "limitations" not in engine["verdict"], engine["verdict"]  # it declines no capability
    assert certificate["adapter"] == "adapter_contracts.examples.sqlite_adapter:make_adapter"
    assert (certificate["exit_status"], certificate["status"]) == (0, "finished")
    assert certificate["manifest"]["short"] == manifest.short
    examples = engine["hypothesis_examples"]
    assert set(examples) == set(manifest.examples) & manifest.contracts("sqlite"), \
        "a property contract is missing from the certificate"
    assert all(examples[c] >= manifest.examples[c] > 0 for c in examples), examples
    assert (certificate["hypothesis_profile"], certificate["hypothesis_seed"]) == ("ci", "derandomized")
    assert any(p["name"] == "xdist" for p in certificate["plugins"]), certificate["plugins"]


def test_the_projects_own_tests_run_as_if_the_harness_were_not_installed(installed: Path, project: Path) -> None:
    seen = {}
    for label, args in (("installed", ()), ("blocked", ("-p", f"no:{ENTRY_POINT}"))):
        seen[label] = project / f"settings-{label}"
        out = _run(installed, project, "pytest", "-v", *args, HYPOTHESIS_PROFILE="nightly",
                   CONTRACT_ENGINES="not-an-engine", SETTINGS_SEEN=str(seen[label]))
        assert "4 passed" in out, out[-3000:]
        if label == "installed":
            assert [line for line in out.splitlines()
                    if "contract" in line.lower() and not line.startswith("plugins: ")] == [], out[-3000:]
    # Exactly the settings the project has without the plugin: not a fixed expectation, since
    # Hypothesis itself picks other defaults when CI is set.
    assert seen["installed"].read_text() == seen["blocked"].read_text()
    plugins = _run(installed, project, "pytest", "--trace-config", "--co", "-q")
    assert "registered: <module 'adapter_contracts.harness.plugin'" in plugins, "the entry point was not loaded"
    assert "adapter_contracts.harness.pytest_harness" not in plugins
