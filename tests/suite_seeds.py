"""One seeds directory (``--local-seeds``) for every throwaway server a run of this suite starts.

The README command started 48 throwaway servers (its workers', its child runs', its
in-process fault tests'), and initialising their data directories cost 18 CPU-s of the
machine's 274 (process accounting; docs/performance.md).  The run that loads this
suite's conftest (the controller, under xdist) makes a directory, names it in
``CONTRACT_LOCAL_SEEDS`` for everything it starts (xdist workers inherit it,
:func:`tests.inner.child_env` passes it on), and removes it when it ends; a directory
left by a run that was killed is removed by the next.  A run with
``CONTRACT_LOCAL_SEEDS`` already set (a child run, or a user's own choice) keeps it.

Every kind of server is still initialised by its own tool once per run (the first of
its kind); the harness's seeded start is tested in tests/test_local_seeds.py.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from adapter_contracts.harness.provision.common import ram_disk
from adapter_contracts.harness.provision.ownership import sweep_workdirs, write_owner_file

__all__ = ["ENV", "close_seeds", "open_seeds", "suite_seeds"]

ENV = "CONTRACT_LOCAL_SEEDS"
#: The directory's name: this prefix and a random part; it holds the run's owner record.
PREFIX = "contract-suite-seeds-"
_MADE = pytest.StashKey[str]()


def suite_seeds() -> Path | None:
    """The seeds directory of the run this process belongs to, if there is one."""
    named = os.environ.get(ENV)
    return Path(named) if named else None


def open_seeds(config: pytest.Config) -> None:
    """Make this run's seeds directory and name it in the environment, unless one is named already."""
    if hasattr(config, "workerinput") or os.environ.get(ENV):
        return
    # A killed run's directory: its owner record names a process that ended, so the harness's own
    # sweep of work directories (the same places) removes it.
    sweep_workdirs(PREFIX)
    made = tempfile.mkdtemp(prefix=PREFIX, dir=ram_disk())
    write_owner_file(Path(made))
    config.stash[_MADE] = made
    os.environ[ENV] = made


def close_seeds(config: pytest.Config) -> None:
    """Remove the directory :func:`open_seeds` made."""
    made = config.stash.get(_MADE, None)
    if made is not None:
        shutil.rmtree(made, ignore_errors=True)
        if os.environ.get(ENV) == made:
            del os.environ[ENV]
