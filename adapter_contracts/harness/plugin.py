"""The installed pytest plugin (``pytest11`` entry point): dormant until a run uses the harness.

Installing this package must change nothing in a project that does not use it:
no Hypothesis profile registered or loaded, no environment variable read, no
header lines, no fixtures, and no collection hook that acts on anything but
this package's own contracts.  This module therefore only

* declares the options (so ``--help`` lists them and they parse);
* names this package's contract modules ``adapter_contracts/contracts/<module>``
  however pytest reaches them (the checkout, or ``--pyargs`` from another project);
  pytest imports them by path under their one name, ``adapter_contracts.contracts.<module>``,
  since the files lie where that name says; and
* activates :mod:`adapter_contracts.harness.pytest_harness`, which does all the work, when

  - one of the harness's options is given on the command line or in the ini file, or
  - the run names the contracts package (a path inside it, or
    ``--pyargs adapter_contracts.contracts``), or
  - contracts are collected (a collector inside the contracts package starts).

Environment variables (``CONTRACT_*``) configure an active harness; alone they
activate nothing, so a variable meant for another tool is never validated here.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
from datetime import datetime, timezone
from pathlib import Path

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


def _nodeid(parts: tuple[str, ...]) -> str:
    """The node id of a contract file or package wherever it is installed:
    ``adapter_contracts/contracts/test_x.py``, as pytest itself names it in a checkout.

    pytest names a file outside the rootdir (``--pyargs`` from another project) relative to
    the argument (``test_x.py``, or nothing at all for a module), so two modules' tests could
    share an id and the report could not tell contracts from other tests; every xdist worker
    names them the same way, so their collections still agree.  The module itself is imported
    by pytest as usual: its path lies under ``adapter_contracts/``, so pytest's own path-based
    import names it ``adapter_contracts.contracts.test_x``, its one name."""
    return "/".join((*CONTRACTS_PACKAGE.split("."), *parts))


@pytest.hookimpl(tryfirst=True)
def pytest_collect_directory(path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    parts = _contract_parts(path)
    if parts is not None and (path / "__init__.py").is_file():
        return pytest.Package.from_parent(parent, path=path, nodeid=_nodeid(parts))
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    parts = _contract_parts(module_path)
    if parts is not None:
        return pytest.Module.from_parent(parent, path=module_path, nodeid=_nodeid(parts))
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


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """``--conformance-report PATH`` on the command line: replace whatever is at PATH by a report that
    certifies nothing, before anything else can fail (pytest's own usage errors come after this), so
    that a run that never gets to its verdict never leaves an earlier one in place.  The harness checks
    the path properly (a usage error if it is not writable) when it configures."""
    path = getattr(early_config.known_args_namespace, "contract_report", None)
    if not path:
        return
    from adapter_contracts.harness.provenance import mask
    from adapter_contracts.harness.report.writer import ReportPathError, start_report

    with contextlib.suppress(ReportPathError, OSError):
        start_report(str(path), datetime.now(timezone.utc).isoformat(timespec="seconds"),
                     mask(" ".join(map(str, early_config.invocation_params.args))))


def activate(config: pytest.Config) -> None:
    """Register the active plugin (once); pytest then calls its pytest_configure."""
    if config.pluginmanager.get_plugin(ACTIVE_PLUGIN) is None:
        config.pluginmanager.import_plugin(ACTIVE_PLUGIN)


@pytest.hookimpl(tryfirst=True)  # the harness configures before Hypothesis's plugin reads its options
def pytest_configure(config: pytest.Config) -> None:
    if _wanted(config):
        activate(config)


def pytest_collectstart(collector: pytest.Collector) -> None:
    if collector.config.pluginmanager.get_plugin(ACTIVE_PLUGIN) is not None:
        return
    path = getattr(collector, "path", None)
    if isinstance(path, Path) and _contract_parts(path) is not None:
        activate(collector.config)
