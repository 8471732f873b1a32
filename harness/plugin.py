"""The installed pytest plugin (``pytest11`` entry point): dormant until a run uses the harness.

Installing this package must change nothing in a project that does not use it:
no Hypothesis profile registered or loaded, no environment variable read, no
header lines, no collection hooks, no fixtures.  This module therefore only
declares the options (so ``--help`` lists them and they parse) and activates
:mod:`harness.pytest_harness`, which does all the work, when

* one of the harness's options is given on the command line or in the ini file, or
* the run names the contracts package (a path inside it, or ``--pyargs contracts``), or
* contracts are collected (a collector inside the contracts package starts).

Environment variables (``CONTRACT_*``) configure an active harness; alone they
activate nothing, so a variable meant for another tool is never validated here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from harness.config import OPTIONS

#: The module that holds the harness's hooks and fixtures.
ACTIVE_PLUGIN = "harness.pytest_harness"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract harness")
    for option in OPTIONS:
        action = "append" if option.multiple else "store"
        group.addoption(option.flag, action=action, dest=option.dest, default=None,
                        help=f"{option.help} [env {option.env}, ini {option.ini}]")
        parser.addini(option.ini, option.help)


def _contracts_dir() -> Path | None:
    spec = importlib.util.find_spec("contracts")  # finds, does not import
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def _inside(path: Path, directory: Path | None) -> bool:
    return directory is not None and (path == directory or directory in path.parents)


def _wanted(config: pytest.Config) -> bool:
    if any(config.getoption(option.dest) not in (None, []) for option in OPTIONS):
        return True
    if any(option.ini in config.inicfg for option in OPTIONS):
        return True
    contracts = _contracts_dir()
    for arg in config.args:
        target = arg.split("::", 1)[0]
        if config.option.pyargs and target.split(".", 1)[0] == "contracts":
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
    if isinstance(path, Path) and _inside(path.resolve(), _contracts_dir()):
        activate(collector.config)
