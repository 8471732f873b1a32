"""One engine, one place (issue 18, item 1): each engine is a package registered by one line; nothing
else looks an engine up by its name; the registry and the option table import no driver; an engine
whose driver is missing is still listed and fails at provisioning, saying which driver."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from adapter_contracts.harness.config import OPTIONS, HarnessConfig
from adapter_contracts.harness.engines import ENGINES, engine_class, resolve_targets
from adapter_contracts.harness.engines.postgres import PostgresEngine
from adapter_contracts.harness.session import EngineSession, EngineUnavailable
from tests.inner import child_env

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "adapter_contracts"
#: Where an engine's name may key a lookup or a branch: its own package, the registry, the option table.
ALLOWED = {PACKAGE / "harness" / "engines" / "__init__.py", PACKAGE / "harness" / "config.py"}
#: Adapters name the engine whose storage they need (@adapter_factory(engine=...)); they are not the harness.
ADAPTERS = (PACKAGE / "adapters", PACKAGE / "examples")


def _docstrings(tree: ast.AST) -> set[int]:
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body and isinstance(node.body[0], ast.Expr)}


def test_every_engine_is_a_package_of_its_own() -> None:
    for name in ENGINES:
        cls = engine_class(name)
        assert cls.id == name
        module = Path(sys.modules[cls.__module__].__file__ or "")
        assert module.parent.parent == PACKAGE / "harness" / "engines", (name, module)
        assert (module.parent / "__init__.py").is_file(), (name, module)


def test_no_module_outside_the_engine_packages_the_registry_and_the_option_table_names_an_engine() -> None:
    packages = {(PACKAGE / "harness" / "engines" / name)
                for name in ("memory", "sqlite", "postgres", "mysql", "mongo", "postgres_async",
                                                   "memory_async", "mysql_async", "mongo_async")}
    assert packages == {Path(sys.modules[engine_class(name).__module__].__file__ or "").parent for name in ENGINES}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path in ALLOWED or any(p in path.parents for p in (*packages, *ADAPTERS)):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        found += [f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}" for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and node.value in ENGINES and id(node) not in docs]
    assert found == []


def test_the_registry_has_one_line_per_engine_and_the_option_table_follows_it() -> None:
    source = (PACKAGE / "harness" / "engines" / "__init__.py").read_text(encoding="utf-8")
    for name, spec in ENGINES.items():
        assert source.count(f'"{name}": "{spec}",') == 1, name
    flags = [option.flag for option in OPTIONS]
    servers = [name for name in ENGINES if engine_class(name).server is not None and engine_class(name).twin is None]
    assert servers == ["postgres", "mysql", "mongo"]
    for name in servers:
        assert f"--{name}-dsn" in flags
        assert f"--{name}-image" in flags
    # An async twin reaches its twin's server: it takes that engine's options, none of its own.
    twins = {name: engine_class(name).twin for name in ENGINES if engine_class(name).twin is not None}
    assert twins
    for name, twin in twins.items():
        assert twin in servers or engine_class(twin).server is None
        assert engine_class(name).flavour == "async"
        assert not any(flag.startswith(f"--{name}-") for flag in flags)


def test_loading_the_plugin_imports_no_engine_driver() -> None:
    drivers = ("psycopg", "pymysql", "pymongo", "mongomock", "testcontainers", "docker", "asyncpg", "aiomysql")
    done = subprocess.run(
        [sys.executable, "-c", "import sys, adapter_contracts.harness.plugin\n"
                               f"print(sorted(m for m in {drivers!r} if m in sys.modules))"],
        cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"


def test_an_engine_whose_driver_is_missing_is_listed_and_fails_at_provisioning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PostgresEngine, "drivers", ("psycopg_not_installed_here",))
    config = HarnessConfig(engines=("postgres",))
    assert [t.id for t in resolve_targets(config)] == ["postgres"]
    with pytest.raises(EngineUnavailable) as unavailable:
        EngineSession(config).get("postgres")
    assert str(unavailable.value) == (
        "postgres: driver not importable (psycopg_not_installed_here: No module named 'psycopg_not_installed_here')")
