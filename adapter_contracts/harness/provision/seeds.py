"""Seeds: freshly initialised data directories of throwaway local servers, kept to be copied.

Initialising a data directory is the dearest step of a throwaway server (``initdb``
about 0.5 CPU-s on a 2-core machine, ``mariadb-install-db`` 0.3), and a suite that
starts many runs pays it for every server: this project's own README command
initialised 48 in one run.  Given a seeds directory (``--local-seeds``), the first
server of a kind initialises as before and leaves a copy there; the next ones of
that kind copy it (0.06 s for PostgreSQL's 39 MB on a tmpfs).

A seed is named after everything that decides what the initialiser makes: its
command line with the work directory's path taken out, the identity (path, size,
modification time) of every file that line names and of the server binary, and the
account that runs it.  A changed option, an upgraded package or another account
makes another seed, never a stale copy.  A seed is copied whole into a directory
of its own before it is renamed into place, so a run that reads it sees all of one
or none; two runs that plant the same seed at once keep the first.  The harness
writes only ``seed-*`` entries (and their ``.seed-*`` scratch copies) in the
directory, and never removes it: it is the user's, as Hypothesis' database is.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import uuid
from collections.abc import Sequence
from pathlib import Path

__all__ = ["copy_seed", "keep_seed", "seed_name"]

#: What stands for the work directory's path in a seed's name.
_WORKDIR = "<workdir>"


def _identity(path: str) -> str:
    """A file's path, size and modification time: what changes when its package is upgraded."""
    try:
        stat = os.stat(path)
    except OSError:
        return path
    return f"{os.path.realpath(path)}:{stat.st_size}:{stat.st_mtime_ns}"


def seed_name(prefix: str, command: Sequence[str], workdir: Path, binary: str, user: str | None) -> str:
    """The name of the seed of what ``command`` makes in ``workdir``, run as ``user``, for ``binary``."""
    line = [arg.replace(str(workdir), _WORKDIR) for arg in command]
    files = sorted({arg for arg in (*command, binary) if os.path.isabs(arg) and os.path.isfile(arg)})
    digest = hashlib.sha256("\0".join([*line, "", *map(_identity, files), "", user or ""]).encode())
    return f"seed-{prefix}{digest.hexdigest()[:20]}"


def _copy(source: Path, target: Path, timeout: float) -> bool:
    """``cp -a``: owners, modes and times kept (a server refuses a data directory another account owns,
    and PostgreSQL one that others may read); False, with nothing left at ``target``, if it failed."""
    try:
        done = subprocess.run(["cp", "-a", str(source), str(target)], check=False, capture_output=True,
                              timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        done = None
    if done is not None and done.returncode == 0:
        return True
    shutil.rmtree(target, ignore_errors=True)
    return False


def copy_seed(seeds: Path, name: str, target: Path, timeout: float) -> bool:
    """Copy the seed ``name`` to ``target`` (which must not exist); False when there is none, or the
    copy failed (``target`` removed again): the caller initialises as if there were no seeds."""
    seed = seeds / name / "data"
    try:
        found = seed.is_dir()
    except OSError:  # a directory we may not enter (another account's seeds): no seed
        return False
    return found and _copy(seed, target, timeout)


def keep_seed(seeds: Path, name: str, source: Path, timeout: float) -> None:
    """Keep a copy of the freshly initialised ``source`` as the seed ``name``, unless one is there.  A
    failure (a full disk, a directory we may not write) only means no seed: this run goes on."""
    scratch = seeds / f".{name}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
    try:
        if (seeds / name).exists():
            return
        scratch.mkdir()
    except OSError:
        return
    if _copy(source, scratch / "data", timeout):
        with contextlib.suppress(OSError):
            # Atomic: a reader sees the whole seed or none; if another run planted it first, ours goes.
            scratch.rename(seeds / name)
            return
    shutil.rmtree(scratch, ignore_errors=True)
