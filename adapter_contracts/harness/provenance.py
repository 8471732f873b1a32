"""Where a run's parts come from, for the certificate: the adapter's libraries, the loaded plugins and
conftests, and every option that changes what runs or how.

Plain data only (it crosses the xdist channel); secrets in DSNs are masked.
"""

from __future__ import annotations

import configparser
import os
import re
import sqlite3
import sys
import tomllib
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from adapter_contracts.harness.provision.common import redact_dsn, redact_key_values

__all__ = [
    "REPORT_HOOKS",
    "TRUSTED_PLUGIN_ROOTS",
    "adapter_modules",
    "distribution_of",
    "hypothesis_seed",
    "libraries",
    "loaded_plugins",
    "mask",
    "run_options",
    "untrusted_report_plugins",
    "with_distributions",
]

#: Hooks through which a plugin can change what a test's report says.
REPORT_HOOKS = (
    "pytest_runtest_protocol", "pytest_runtest_setup", "pytest_runtest_call", "pytest_runtest_teardown",
    "pytest_pyfunc_call", "pytest_runtest_makereport", "pytest_runtest_logreport", "pytest_report_teststatus",
    "pytest_report_from_serializable", "pytest_report_to_serializable",
)
#: Top-level modules of the plugins a certificate trusts with reports: pytest's, xdist's, Hypothesis's, ours.
TRUSTED_PLUGIN_ROOTS = frozenset({"_pytest", "pytest", "xdist", "hypothesis", "_hypothesis_pytestplugin",
                                  "adapter_contracts", "pluggy"})
#: xdist runs its worker side (xdist/remote.py) as this module, through execnet.
_XDIST_WORKER = "__channelexec__"
#: Environment variables that change what a run does.
_ENVIRONMENT = ("CONTRACT_", "HYPOTHESIS_", "PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_DISABLE_PLUGIN_AUTOLOAD",
                "PYTEST_XDIST_", "CI")
_USERINFO = re.compile(r"(://[^/\s:@]*:)\S*@")


def mask(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every URL password, every ``password=`` value and every given secret replaced by ``***``."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, "***")
    return redact_key_values(_USERINFO.sub(r"\1***@", text))


def mask_command(args: Iterable[str]) -> str:
    """A command line as the report shows it: each argument's password masked on its own, so that a
    password holding spaces or unencoded ``@ # / ?`` is masked whole (``--postgres-dsn=URL`` too)."""
    shown = []
    for arg in map(str, args):
        flag, eq, value = arg.partition("=") if arg.startswith("-") else ("", "", arg)
        shown.append(mask(flag + eq + redact_dsn(value if eq or not flag else arg)))
    return " ".join(shown)


@cache
def _distributions() -> Mapping[str, list[str]]:
    return metadata.packages_distributions()  # reads every installed distribution's file list: ~0.2 s


@cache
def _named(root: str) -> str | None:
    """The distribution named like module ``root`` when it installs that module (most do: psycopg,
    PyMySQL, hypothesis); looked up by name, without reading every distribution."""
    try:
        found = metadata.distribution(root)
    except metadata.PackageNotFoundError:
        return None
    top_level = found.read_text("top_level.txt")
    if top_level is not None and root not in top_level.split():
        return None
    return f"{found.metadata['Name']} {found.version}"


def distribution_of(module_name: str) -> str | None:
    """``name version`` of the distribution installing top-level module ``module_name``; ``stdlib`` for the
    standard library; None when nothing installed it (a local module)."""
    root = module_name.split(".", 1)[0]
    if root in sys.stdlib_module_names:
        return "stdlib"
    named = _named(root)
    if named is not None:
        return named
    names = sorted(set(_distributions().get(root, [])))
    if not names:
        return None
    versions = []
    for name in names:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(name)
    return ", ".join(versions)


def _module_name(obj: Any) -> str:
    if isinstance(obj, ModuleType | type):
        return str(obj.__module__ if isinstance(obj, type) else obj.__name__)
    return type(obj).__module__


def _roots_of(value: Any) -> set[str]:
    if isinstance(value, ModuleType):
        return {value.__name__.split(".", 1)[0]}
    module = getattr(value, "__module__", None) if callable(value) else type(value).__module__
    return {module.split(".", 1)[0]} if isinstance(module, str) else set()


def adapter_modules(adapter: object, factory: object) -> list[str]:
    """The top-level modules the adapter's own code uses: what its classes' modules and the factory's
    module import, and the types of what the instance holds (its connections).  Cheap: which
    distributions they come from is looked up only for a certificate (:func:`libraries`)."""
    own = {cls.__module__ for cls in type(adapter).__mro__ if cls is not object}
    own.add(getattr(factory, "__module__", "") or "")
    roots: set[str] = set()
    for name in own:
        module = sys.modules.get(name)
        for value in vars(module).values() if module is not None else ():
            roots |= _roots_of(value)
    for value in vars(adapter).values() if hasattr(adapter, "__dict__") else ():
        roots |= _roots_of(value)
    mine = {name.split(".", 1)[0] for name in own}
    return sorted(roots - mine - {"builtins"})


def libraries(modules: Iterable[str]) -> list[str]:
    """The installed distributions (with versions) of ``modules``, the adapter's drivers and ORMs among
    them; sqlite3 with the SQLite version it links.  The harness's own driver may differ (the
    certificate names both): an adapter written on SQLAlchemy or mysql-connector is certified with
    those, not with the harness's PyMySQL."""
    found = set()
    for root in modules:
        where = distribution_of(root)
        if where == "stdlib":
            if root == "sqlite3":
                found.add(f"sqlite3 (stdlib, SQLite {sqlite3.sqlite_version})")
            continue
        if where is not None and not where.startswith("adapter-contracts "):
            found.add(where)
    return sorted(found)


def _plugin_file(plugin: object) -> str | None:
    """The file a plugin's code is in: a module's own, or where its class's methods were compiled (every
    conftest module is named ``conftest``, so the module name alone would point at the last one)."""
    if isinstance(plugin, ModuleType):
        path = getattr(plugin, "__file__", None)
        return str(path) if path else None
    cls = plugin if isinstance(plugin, type) else type(plugin)
    for value in vars(cls).values():
        code = getattr(value, "__code__", None)
        if code is not None:
            return str(code.co_filename)
    path = getattr(sys.modules.get(cls.__module__), "__file__", None)
    return str(path) if path else None


def loaded_plugins(config: pytest.Config) -> list[dict[str, Any]]:
    """Every plugin and conftest registered (pytest's built-in ones summed up as one entry), with its
    file and the report hooks it implements (:func:`with_distributions` adds where each comes from)."""
    manager = config.pluginmanager
    hooks: dict[int, list[str]] = {}
    for hook_name in REPORT_HOOKS:
        caller = getattr(manager.hook, hook_name, None)
        for impl in caller.get_hookimpls() if caller is not None else ():
            hooks.setdefault(id(impl.plugin), []).append(hook_name)
    entries: dict[tuple[str, str | None, str], dict[str, Any]] = {}
    # Plugins loaded through entry points name their distribution; other objects of the same package share it.
    by_root = {_module_name(plugin).split(".", 1)[0]: f"{dist.project_name} {dist.version}"
               for plugin, dist in manager.list_plugin_distinfo()}
    for name, plugin in manager.list_name_plugin():
        if plugin is None:
            continue  # blocked with -p no:NAME
        module = _module_name(plugin)
        if module == _XDIST_WORKER:
            module = "xdist.remote"
        root = module.split(".", 1)[0]
        if root == "_pytest":
            continue
        file = _plugin_file(plugin) if module != "xdist.remote" else None
        conftest = isinstance(plugin, ModuleType) and file is not None and Path(file).name == "conftest.py"
        label = str(file) if conftest else (module if str(name).isdigit() else str(name))
        entry = entries.setdefault((module, file, label), {
            "name": label, "module": module, "file": file, "kind": "conftest" if conftest else "plugin",
            "distribution": by_root.get(root), "trusted": root in TRUSTED_PLUGIN_ROOTS, "report_hooks": [],
        })
        entry["report_hooks"] = sorted(set(entry["report_hooks"]) | set(hooks.get(id(plugin), [])))
    builtin: dict[str, Any] = {
        "name": "pytest (built-in plugins)", "module": "_pytest", "file": str(Path(pytest.__file__).parent),
        "kind": "plugin", "distribution": None, "trusted": True, "report_hooks": []}
    return [builtin, *sorted(entries.values(), key=lambda e: (e["kind"], str(e["name"])))]


def with_distributions(plugins: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The plugins with the distribution and version that installed each (none for a conftest)."""
    return [{**p, "distribution": None if p["kind"] == "conftest"
             else p.get("distribution") or distribution_of(str(p["module"]))} for p in plugins]


def untrusted_report_plugins(plugins: Iterable[Mapping[str, Any]]) -> list[str]:
    """Names (with their file; conftests by file) of plugins that implement report hooks and are not trusted."""
    return sorted({str(p["name"]) if p["kind"] == "conftest" or not p.get("file") else f"{p['name']} ({p['file']})"
                   for p in plugins if p.get("report_hooks") and not p.get("trusted")})


def _ini_values(path: Path) -> dict[str, str]:
    """The pytest settings in an ini, cfg or toml file, as written."""
    try:
        if path.suffix == ".toml":
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            section = data.get("tool", {}).get("pytest", {})
            section = section.get("ini_options", section)
            return {str(k): str(v) for k, v in section.items()}
        parser = configparser.ConfigParser(interpolation=None)
        parser.read(path, encoding="utf-8")
        for name in ("pytest", "tool:pytest"):
            if parser.has_section(name):
                return {k: " ".join(v.split()) for k, v in parser.items(name)}
    except (OSError, ValueError, configparser.Error, tomllib.TOMLDecodeError) as exc:
        return {"(unreadable)": f"{type(exc).__name__}: {exc}"}
    return {}


def run_options(config: pytest.Config, secrets: Iterable[str] = (),
                environ: Mapping[str, str] = os.environ) -> list[str]:
    """Everything that changes what a run collects or how it runs, as given: the command line (with
    ``-p``, ``-o``, ``--ignore-glob``, ``--hypothesis-seed``...), the ini file's settings, and the
    CONTRACT_*, HYPOTHESIS_* and PYTEST_* environment."""
    secrets = list(secrets)
    args = [str(a) for a in config.invocation_params.args]
    shown = [mask("command line: " + " ".join(args), secrets)]
    if config.inipath is not None:
        values = _ini_values(Path(config.inipath))
        shown += [mask(f"ini {config.inipath.name}: {key} = {value}", secrets) for key, value in sorted(values.items())]
    shown += [mask(f"env {key}={value}", secrets) for key, value in sorted(environ.items())
              if key.startswith(_ENVIRONMENT) and (key != "CI" or value)]
    return shown


def hypothesis_seed(config: pytest.Config) -> str | None:
    seed = config.getoption("hypothesis_seed", None)
    return None if seed is None else str(seed)
