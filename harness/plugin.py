"""The installed pytest plugin (``pytest11`` entry point): dormant until a run uses the harness.

Installing this package must change nothing in a project that does not use it:
no Hypothesis profile registered or loaded, no environment variable read, no
header lines, no fixtures, and no collection hook that acts on anything but
this package's own contracts.  This module therefore only

* declares the options (so ``--help`` lists them and they parse);
* imports this package's contract modules under their one name,
  ``adapter_contracts.contracts.<module>``, however pytest reaches them (the
  repository's ``contracts/`` directory, the import root's link to it, or
  ``--pyargs``), so no file is loaded twice under two names; and
* activates :mod:`adapter_contracts.harness.pytest_harness`, which does all the work, when

  - one of the harness's options is given on the command line or in the ini file, or
  - the run names the contracts package (a path inside it, or
    ``--pyargs adapter_contracts.contracts``), or
  - contracts are collected (a collector inside the contracts package starts).

Environment variables (``CONTRACT_*``) configure an active harness; alone they
activate nothing, so a variable meant for another tool is never validated here.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from adapter_contracts.harness.config import OPTIONS

#: The module that holds the harness's hooks and fixtures.
ACTIVE_PLUGIN = "adapter_contracts.harness.pytest_harness"
#: The package of the contracts, by its one name.
CONTRACTS_PACKAGE = "adapter_contracts.contracts"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract harness")
    for option in OPTIONS:
        action = "append" if option.multiple else "store"
        group.addoption(option.flag, action=action, dest=option.dest, default=None,
                        help=f"{option.help} [env {option.env}, ini {option.ini}]")
        parser.addini(option.ini, option.help)


@functools.cache
def _contracts_dir() -> Path | None:
    spec = importlib.util.find_spec(CONTRACTS_PACKAGE)  # finds, does not import
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def _inside(path: Path, directory: Path | None) -> bool:
    return directory is not None and (path == directory or directory in path.parents)


def _contract_parts(path: Path) -> tuple[str, ...] | None:
    """``path`` relative to the contracts package (``("test_x.py",)``), or None outside it."""
    directory = _contracts_dir()
    resolved = path.resolve()
    if directory is None or not _inside(resolved, directory):
        return None
    return resolved.relative_to(directory).parts


def canonical_name(path: Path) -> str | None:
    """The module name of a ``.py`` file under the import root, or None outside the contracts package."""
    parts = _contract_parts(path)
    if not parts or not parts[-1].endswith(".py"):
        return None
    names = [*parts[:-1], parts[-1].removesuffix(".py")]
    return ".".join((CONTRACTS_PACKAGE, *(names[:-1] if names[-1] == "__init__" else names)))


def _nodeid(parts: tuple[str, ...]) -> str:
    """The node id of a contract file or package wherever it is installed: ``contracts/test_x.py``.

    pytest names a file outside the rootdir (``--pyargs`` from another project) relative to
    the argument (``test_x.py``, or nothing at all for a module), so two modules' tests could
    share an id and the report could not tell contracts from other tests; every xdist worker
    names them the same way, so their collections still agree."""
    return "/".join(("contracts", *parts))


def _import(path: Path, config: pytest.Config) -> ModuleType:
    name = canonical_name(path)
    assert name is not None, path  # only nodes made by the hooks below get here
    module = importlib.import_module(name)
    config.pluginmanager.consider_module(module)  # as pytest does for a module it imports
    return module


class ContractModule(pytest.Module):
    """A contract module, imported by its name rather than by its path: pytest's path-based
    import would name ``contracts/test_users.py`` ``contracts.test_users`` in a checkout, a
    second name beside ``adapter_contracts.contracts.test_users`` for the same file."""

    def _getobj(self) -> ModuleType:
        return _import(self.path, self.config)


class ContractPackage(pytest.Package):
    """A package of contracts whose ``__init__`` is imported by its name (see ContractModule).

    pytest's own setup imports it by path only to run a ``setup_module`` it may define; the
    contracts' packages define none, so importing it is all there is to do."""

    def setup(self) -> None:
        _import(self.path / "__init__.py", self.config)


@pytest.hookimpl(tryfirst=True)
def pytest_collect_directory(path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    parts = _contract_parts(path)
    if parts is not None and (path / "__init__.py").is_file():
        return ContractPackage.from_parent(parent, path=path, nodeid=_nodeid(parts))
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    parts = _contract_parts(module_path)
    if parts is not None:
        return ContractModule.from_parent(parent, path=module_path, nodeid=_nodeid(parts))
    return None


def _wanted(config: pytest.Config) -> bool:
    if any(config.getoption(option.dest) not in (None, []) for option in OPTIONS):
        return True
    if any(config.getini(option.ini) for option in OPTIONS):  # an ini key that is set (not empty)
        return True
    contracts = _contracts_dir()
    for arg in config.args:
        target = arg.split("::", 1)[0]
        if config.option.pyargs and (target == CONTRACTS_PACKAGE or target.startswith(CONTRACTS_PACKAGE + ".")):
            return True
        if _inside((config.invocation_params.dir / target).resolve(), contracts):
            return True
    return False


def activate(config: pytest.Config) -> None:
    """Register the active plugin (once); pytest then calls its pytest_configure."""
    if config.pluginmanager.get_plugin(ACTIVE_PLUGIN) is None:
        config.pluginmanager.import_plugin(ACTIVE_PLUGIN)


def pytest_configure(config: pytest.Config) -> None:
    if _wanted(config):
        activate(config)


def pytest_collectstart(collector: pytest.Collector) -> None:
    if collector.config.pluginmanager.get_plugin(ACTIVE_PLUGIN) is not None:
        return
    path = getattr(collector, "path", None)
    if isinstance(path, Path) and _contract_parts(path) is not None:
        activate(collector.config)
