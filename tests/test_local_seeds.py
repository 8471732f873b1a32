"""Seeds (``--local-seeds``): a throwaway server of a kind seen before copies its data directory instead
of initialising it, and starts from the copy as from its own; a seed never stands in for another kind,
and a missing or broken one only means initialising as without seeds."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from adapter_contracts.harness.config import ConfigError, HarnessConfig
from adapter_contracts.harness.engines import load_engine
from adapter_contracts.harness.provision import local
from adapter_contracts.harness.provision.ownership import OWNER_FILE, owner_record, sweep_workdirs, write_owner_file
from adapter_contracts.harness.provision.seeds import copy_seed, keep_seed, seed_name
from tests import suite_seeds
from tests.provisioned import provision


@pytest.fixture
def initialised(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The initialisers the skeleton runs from now on (their file names)."""
    ran: list[str] = []
    real = local.run_as

    def counting(user: str | None, argv: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        ran.append(Path(argv[0]).name)
        return real(user, argv, **kwargs)

    monkeypatch.setattr(local, "run_as", counting)
    return ran


@pytest.mark.parametrize("engine_name", ["postgres", "mysql"])
def test_a_second_server_starts_from_the_first_ones_seed(engine_name: str, tmp_path: Path,
                                                         initialised: list[str]) -> None:
    """Two servers of one kind, each started by the engine as a run starts it and given the schema:
    the first initialises and leaves its seed, the second copies it, owners and modes kept."""
    config = HarnessConfig.from_values({"contract_local_seeds": str(tmp_path)})
    assert config.local_seeds == tmp_path.resolve()
    for _ in range(2):
        engine = load_engine(engine_name)
        with ExitStack() as stack:
            provision(engine, "local", config, stack)
            server = engine._server  # type: ignore[attr-defined]
            data = server.workdir / server.data
            owner = data.stat().st_uid
            mode = stat.S_IMODE(data.stat().st_mode)
    assert len(initialised) == 1, f"initialised twice: {initialised}"
    seeds = [p.name for p in tmp_path.iterdir()]
    assert len(seeds) == 1, seeds
    assert seeds[0].startswith(f"seed-{server.spec.workdir_prefix}"), seeds
    seed = tmp_path / seeds[0] / "data"
    assert (seed.stat().st_uid, stat.S_IMODE(seed.stat().st_mode)) == (owner, mode)
    if engine_name == "postgres":
        assert mode == 0o700  # PostgreSQL refuses a data directory others may enter


def test_a_seed_is_named_for_everything_that_decides_what_is_made(tmp_path: Path) -> None:
    tool = tmp_path / "init.py"  # an initialiser the command line names
    tool.write_text("pass\n")
    one, two = tmp_path / "contract-x-1", tmp_path / "contract-x-2"

    def name(workdir: Path, *args: str, user: str | None = "postgres") -> str:
        return seed_name("contract-x-", [sys.executable, str(tool), f"--datadir={workdir}/data", *args], workdir,
                         sys.executable, user)

    assert name(one) == name(two), "the work directory's own path is not part of what is made"
    assert name(one).startswith("seed-contract-x-")
    assert name(one, "--redo=16M") != name(one, "--redo=96M")
    assert name(one, user="mysql") != name(one)
    before = name(one)
    os.utime(tool, ns=(0, tool.stat().st_mtime_ns + 1))
    assert name(one) != before, "an upgraded tool makes another seed"


def test_kept_once_copied_whole_and_a_missing_seed_is_no_seed(tmp_path: Path) -> None:
    seeds, made = tmp_path / "seeds", tmp_path / "made"
    seeds.mkdir()
    (made / "data").mkdir(parents=True)
    (made / "data" / "file").write_text("first")
    assert not copy_seed(seeds, "seed-a", tmp_path / "copy", 5)
    assert not (tmp_path / "copy").exists()
    keep_seed(seeds, "seed-a", made / "data", 5)
    (made / "data" / "file").write_text("second")
    keep_seed(seeds, "seed-a", made / "data", 5)  # another run's copy of the same kind: the first stays
    assert [p.name for p in seeds.iterdir()] == ["seed-a"], "no scratch copy left"
    assert copy_seed(seeds, "seed-a", tmp_path / "copy", 5)
    assert (tmp_path / "copy" / "file").read_text() == "first"


def test_a_seed_that_cannot_be_copied_is_no_seed_and_leaves_nothing(tmp_path: Path) -> None:
    """A broken seed (a file where its data directory should be): the server initialises as without one."""
    seeds = tmp_path / "seeds"
    (seeds / "seed-b").mkdir(parents=True)
    (seeds / "seed-b" / "data").write_text("not a directory")
    assert not copy_seed(seeds, "seed-b", tmp_path / "copy", 5)
    assert not (tmp_path / "copy").exists()


def test_seeds_must_be_a_directory_that_exists(tmp_path: Path) -> None:
    assert HarnessConfig.from_values({}).local_seeds is None
    with pytest.raises(ConfigError, match=r"--local-seeds='.*/nowhere' is not a directory: make it first"):
        HarnessConfig.from_values({"contract_local_seeds": str(tmp_path / "nowhere")})


def test_the_suites_seeds_directory_left_by_a_killed_run_is_swept_and_a_live_ones_kept() -> None:
    """The harness's sweep of work directories, which the suite runs before it makes its own seeds
    directory (tests/suite_seeds.py), removes a killed run's and keeps a live one's."""
    ended = subprocess.Popen(["sleep", "60"])
    record = owner_record(ended.pid)  # taken while it runs: its start time is in the record
    ended.kill()
    ended.wait()
    left = Path(tempfile.mkdtemp(prefix=suite_seeds.PREFIX))
    live = Path(tempfile.mkdtemp(prefix=suite_seeds.PREFIX))
    try:
        (left / OWNER_FILE).write_text(json.dumps(record))
        write_owner_file(live)
        sweep_workdirs(suite_seeds.PREFIX)
        assert (left.exists(), live.exists()) == (False, True)
    finally:
        for path in (left, live):
            shutil.rmtree(path, ignore_errors=True)


def test_seeds_one_may_not_enter_are_no_seeds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another account's seeds directory: looking into it fails (EACCES, as for a non-root run in a
    root-owned directory; root itself is never refused, so the refusal is made here)."""
    seeds = tmp_path / "seeds"
    (seeds / "seed-c" / "data").mkdir(parents=True)
    made = tmp_path / "made" / "data"
    made.mkdir(parents=True)

    def refusing(real: Callable[[Path], bool]) -> Callable[[Path], bool]:
        def look(self: Path) -> bool:
            if seeds in (self, *self.parents):
                raise PermissionError(13, "Permission denied", str(self))
            return real(self)
        return look

    monkeypatch.setattr(Path, "is_dir", refusing(Path.is_dir))
    monkeypatch.setattr(Path, "exists", refusing(Path.exists))
    assert not copy_seed(seeds, "seed-c", tmp_path / "copy", 5)
    keep_seed(seeds, "seed-d", made, 5)
    monkeypatch.undo()
    assert not (tmp_path / "copy").exists()
    assert sorted(p.name for p in seeds.iterdir()) == ["seed-c"]
