"""One import root (issue 13, item 1): everything the distribution installs lives under
``adapter_contracts``, each file is loaded under one module name, and outside adapters
import the public interface from the root.

The installed wheel beside a project with its own ``adapters``/``harness``/... packages is
tests/test_installed_wheel.py; this module checks the checkout.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

import adapter_contracts
from adapter_contracts.adapters import errors, limits
from tests.inner import CONTRACTS, child_env

ROOT = Path(__file__).resolve().parents[1]
#: The suite's packages, which are no import names of their own outside the import root.
LINKED = ("adapters", "contracts", "harness", "strategies", "examples")
PACKAGE = ROOT / "adapter_contracts"

DUMP_PLUGIN = '''
import json, os, sys

def pytest_sessionfinish(session):
    modules = {name: getattr(module, "__file__", None) for name, module in list(sys.modules.items())}
    with open(os.environ["MODULES_SEEN"], "w") as out:
        json.dump(modules, out)
'''


def _sources() -> list[Path]:
    return sorted(path for directory in (PACKAGE, ROOT / "tests", ROOT / "bench") for path in directory.rglob("*.py")
                  if "__pycache__" not in path.parts)


def test_every_module_lies_where_its_dotted_name_says() -> None:
    """No links (a checkout without symlink support gets text files in their place) and no
    package-dir mapping (pytest would import contracts/test_x.py as ``contracts.test_x``, and
    mypy cannot follow a mapping): ``adapter_contracts.adapters.validation`` is
    adapter_contracts/adapters/validation.py, and nothing else carries the suite's names."""
    links = [str(path.relative_to(ROOT)) for path in ROOT.rglob("*") if path.is_symlink() and ".git" not in path.parts]
    assert links == []
    for name in LINKED:
        assert (PACKAGE / name / "__init__.py").is_file(), name
        assert not (ROOT / name).exists(), f"{name}/ at the top level would shadow adapter_contracts.{name}"
    import adapter_contracts.adapters.validation as validation

    assert Path(validation.__file__).resolve() == (PACKAGE / "adapters" / "validation.py").resolve()


def test_no_source_imports_a_generic_top_level_name() -> None:
    """``import adapters`` would load a second copy of a file (and a second ValidationError class)."""
    found = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            found += [f"{path.relative_to(ROOT)}:{node.lineno}: {name}" for name in names
                      if name.split(".")[0] in LINKED]
    assert found == []


def test_the_public_interface_is_the_modules_own_objects() -> None:
    tree = ast.parse((ROOT / "adapter_contracts" / "__init__.py").read_text(encoding="utf-8"))
    typed = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
             for alias in node.names if node.module and node.module.startswith("adapter_contracts")}
    assert typed == set(adapter_contracts.__all__), "the TYPE_CHECKING imports and __all__ disagree"
    for name in adapter_contracts.__all__:
        assert getattr(adapter_contracts, name) is not None, name
    assert adapter_contracts.ValidationError is errors.ValidationError
    assert adapter_contracts.limits is limits
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        adapter_contracts.nope  # noqa: B018


@pytest.mark.heavy
def test_a_run_loads_every_file_under_one_name(tmp_path: Path) -> None:
    """Contracts collected by path, helpers, the harness and the example adapter: one module
    name per file, none of them a generic top-level name.  Modules are what is checked, so the
    contracts run a few examples each (tests/child_budget.py)."""
    (tmp_path / "dump_modules.py").write_text(DUMP_PLUGIN)
    seen = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "dump_modules",
         "-p", "tests.child_budget", "-k", "(memory or sqlite) and (users or model)", CONTRACTS,
         "tests/test_sqlite_backend.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env=child_env(MODULES_SEEN=str(seen), PYTHONPATH=str(tmp_path)),
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    modules: dict[str, str | None] = json.loads(seen.read_text())
    names_of = defaultdict(list)
    for name, file in modules.items():
        if file and Path(file).resolve().is_relative_to(ROOT):
            names_of[os.path.relpath(Path(file).resolve(), ROOT)].append(name)
    assert f"{CONTRACTS}/test_users.py" in names_of
    assert "adapter_contracts/examples/sqlite_adapter/adapter.py" in names_of
    assert {file: names for file, names in names_of.items() if len(names) > 1} == {}
    assert sorted(name for name in modules if name.split(".")[0] in LINKED) == []
    assert names_of[f"{CONTRACTS}/test_users.py"] == ["adapter_contracts.contracts.test_users"]


def test_the_example_adapter_imports_only_the_public_interface() -> None:
    """The example is written as an outside team would write theirs (docs/adapter-authors-guide.md):
    each of its modules imports this package from its root alone, and its own modules relatively."""
    modules = sorted((PACKAGE / "examples" / "sqlite_adapter").glob("*.py"))
    assert len(modules) > 1, "the example is a package of modules"
    ours: set[str] = set()
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                ours.update(alias.name for alias in node.names if alias.name.startswith("adapter_contracts"))
            elif isinstance(node, ast.ImportFrom) and not node.level:
                ours.update([node.module or ""] if (node.module or "").startswith("adapter_contracts") else [])
    assert sorted(ours) == ["adapter_contracts"]
