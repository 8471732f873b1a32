"""The contract manifest agrees with the contracts, and the version moves when it or the interface does.

A failure here says what to run: ``python -m adapter_contracts.harness.manifest --write``
regenerates the manifest; a changed manifest then needs a new version in
pyproject.toml and a CHANGELOG.md entry naming it.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from adapter_contracts.harness.manifest import (
    REGENERATE,
    SuiteCheck,
    abstract_id,
    check_suite,
    interface_fingerprint,
    is_genuine,
    load_manifest,
)
from adapter_contracts.harness.manifest.build import changelog_entries, pyproject_version
from tests.inner import child_env

ROOT = Path(__file__).resolve().parents[1]


def test_collection_agrees_with_the_manifest() -> None:
    """Every engine kind's contracts as collection gives them, the suite's files and the interface (3 s)."""
    done = subprocess.run([sys.executable, "-m", "adapter_contracts.harness.manifest", "--check"], cwd=ROOT,
                          env=child_env(), capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_the_version_and_the_changelog_name_the_manifest() -> None:
    manifest = load_manifest()
    version = pyproject_version()
    entries = changelog_entries((ROOT / "CHANGELOG.md").read_text(encoding="utf-8"))
    assert entries, "CHANGELOG.md has no entry headed `## <version> (manifest <hash>)`"
    latest = entries[0]
    how = (f"bump `version` in pyproject.toml (now {version}), run `{REGENERATE}`, and add a CHANGELOG.md entry "
           f"`## <version> (manifest {manifest.short})` that says what an adapter author must change")
    assert latest["manifest"] == manifest.short, (
        f"the manifest or the public interface changed since {latest['version']} (manifest {latest['manifest']}, "
        f"now {manifest.short}): {how}")
    assert latest["version"] == version == manifest.suite_version, (
        f"pyproject.toml says {version}, the manifest {manifest.suite_version}, "
        f"CHANGELOG.md {latest['version']}: {how}")
    versions = [entry["version"] for entry in entries]
    assert len(set(versions)) == len(versions), f"a version appears twice in CHANGELOG.md: {versions}"


def test_the_interface_fingerprint_moves_with_a_signature(monkeypatch: pytest.MonkeyPatch) -> None:
    import adapter_contracts
    from adapter_contracts.adapters import validation

    before = interface_fingerprint()
    original = validation.check_key

    def check_key(value: object, *, field: str, max_len: int, strict: bool = True) -> str:
        return original(value, field=field, max_len=max_len)

    monkeypatch.setattr(adapter_contracts, "check_key", check_key)
    assert interface_fingerprint() != before


def test_a_changed_suite_file_or_contract_list_changes_the_hash() -> None:
    manifest = load_manifest()
    some_file = next(iter(manifest.files))
    tampered = replace(manifest, files={**manifest.files, some_file: "0" * 64})
    assert tampered.digest != manifest.digest
    fewer = replace(manifest, engines={**manifest.engines, "memory": manifest.engines["memory"][1:]})
    assert fewer.digest != manifest.digest
    lower = replace(manifest, examples={k: 1 for k in manifest.examples})
    assert lower.digest != manifest.digest


def test_the_runtime_check_finds_a_changed_file_and_a_module_from_elsewhere(tmp_path: Path) -> None:
    manifest = load_manifest()
    assert check_suite(manifest) == SuiteCheck(), "this checkout's suite files differ from its manifest"
    some_file = next(f for f in manifest.files if f.startswith("contracts/test_"))
    tampered = replace(manifest, files={**manifest.files, some_file: "0" * 64})
    assert check_suite(tampered).changed == [some_file]
    stray = tmp_path / "test_users.py"
    stray.write_text("")

    class Module:
        __file__ = str(stray)

    found = check_suite(manifest, {"adapter_contracts.contracts.test_users": Module()})
    assert found.foreign == [f"adapter_contracts.contracts.test_users from {stray}"]
    assert "not the installed suite's" in str(found.problem(manifest))


def test_ids_abstract_the_engine_and_only_the_package_is_genuine(tmp_path: Path) -> None:
    assert abstract_id("adapter_contracts/contracts/test_x.py::test_y[postgres-17-a-b]", "postgres-17") == \
        "test_x.py::test_y[*-a-b]"
    assert abstract_id("adapter_contracts/contracts/test_x.py::test_y[postgres-17]", "postgres-17") == \
        "test_x.py::test_y[*]"
    assert abstract_id("adapter_contracts/contracts/test_x.py::test_y[mysql]", "postgres") is None
    assert abstract_id("adapter_contracts/contracts/test_x.py::test_y", "memory") is None
    genuine = ROOT / "adapter_contracts" / "contracts" / "test_users.py"
    assert is_genuine(genuine)
    fake = tmp_path / "contracts" / "test_users.py"
    fake.parent.mkdir()
    fake.write_text("")
    assert not is_genuine(fake)
