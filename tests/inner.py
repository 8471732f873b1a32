"""Environments for the pytest and CLI subprocesses the suite starts to test itself
(gallery entries, xdist runs, leak and CLI checks)."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from tests.suite_seeds import ENV as SEEDS

__all__ = ["child_env", "gave_up_after", "share_hypothesis_caches"]

ROOT = Path(__file__).resolve().parents[1]
#: The contracts, as a path argument of a child run (cwd=ROOT).
CONTRACTS = "adapter_contracts/contracts"


def _bytecode_cache() -> str:
    """A bytecode cache outside the checkout, shared by every subprocess of every run from it."""
    tag = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
    return str(Path(tempfile.gettempdir()) / f"contract-pycache-{os.getuid()}-{tag}")


def child_env(*, without: tuple[str, ...] = ("CONTRACT_", "PYTEST_"), **extra: str) -> dict[str, str]:
    """The caller's environment minus variables starting with ``without`` (but for the run's seeds
    directory), plus ``extra``.

    With PYTHONDONTWRITEBYTECODE set, every subprocess would compile the
    harness again and pytest would rewrite the asserts of some 150 modules
    again: 1.4 s per gallery entry against 0.5 s from a cache.  Children then
    write their bytecode under PYTHONPYCACHEPREFIX, a directory in the temp
    directory, so the checkout still gets no __pycache__ as the caller asked.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(without)}
    if os.environ.get(SEEDS):
        # The run's seeds directory (tests/suite_seeds.py): child runs' servers copy its seeds too.
        env[SEEDS] = os.environ[SEEDS]
    if env.get("PYTHONDONTWRITEBYTECODE"):
        del env["PYTHONDONTWRITEBYTECODE"]
        env.setdefault("PYTHONPYCACHEPREFIX", _bytecode_cache())
    env.update(extra)
    return env


#: Hypothesis's caches that are keyed by what they hold: the constants of each local module (by the hash of
#: its source) and the Unicode tables (by the Unicode version).  Its example database is not among them.
_CONTENT_CACHES = ("constants", "unicode_data")


def share_hypothesis_caches(project: Path) -> None:
    """Let a child run from ``project`` (a directory of its own) use the checkout's content-keyed
    Hypothesis caches instead of filling its own.

    Hypothesis scans every local module for constants at a run's first generated example, and this
    checkout's package is local to it: from an empty ``.hypothesis`` a child run parsed all of it
    again (a run of the whole suite on the reference in a repro budget: 6.3-6.6 CPU-s from an empty
    directory, 3.0-3.4 from a filled one).  The example database stays the project's own, so no child
    run replays what another saved.
    """
    home = project / ".hypothesis"
    home.mkdir(exist_ok=True)
    for name in _CONTENT_CACHES:
        shared = ROOT / ".hypothesis" / name
        shared.mkdir(parents=True, exist_ok=True)
        if not (home / name).exists():
            (home / name).symlink_to(shared, target_is_directory=True)


def gave_up_after(engine: str, text: str) -> int | None:
    """The seconds the harness waited on ``engine``'s server before it gave up, as its verdict in ``text``
    says (``<engine>: NOT CERTIFIED: server fault: server stopped answering after N s``); None without one."""
    found = re.search(rf"{re.escape(engine)}: NOT CERTIFIED: server fault: server stopped answering after (\d+) s",
                      text)
    return None if found is None else int(found[1])
