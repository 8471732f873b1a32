"""Images per engine: the choice of image, one target id per server version, the container
provider's Ryuk decision and cleanup, and the content-hash tags of scripts/images/build.sh.

Unit-level where the logic allows (no Docker needed); the one real-Docker test is heavy and
skips only when no Docker engine answers (``.ci/run`` runs the real matrix in any case,
through scripts/container-matrix.sh).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from adapter_contracts.harness.config import HarnessConfig
from adapter_contracts.harness.engines import Target, image_label, load_engine, resolve_targets, server_engines
from adapter_contracts.harness.provision import containers
from adapter_contracts.harness.provision.common import ProvisionUnavailable, docker_available
from tests.inner import CONTRACTS, child_env

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "scripts" / "images" / "build.sh"


# -- image choice and target ids -------------------------------------------------------------

@pytest.mark.parametrize(("engine_id", "image", "label"), [
    ("postgres", "adapter-contracts/postgres:15-3dceff89464e", "postgres-15"),
    ("postgres", "adapter-contracts/postgres:17-67337d6604c7", "postgres-17"),
    ("mysql", "adapter-contracts/mariadb:10.11-31738f247beb", "mysql-mariadb-10.11"),
    ("mysql", "adapter-contracts/mariadb:11.8-425bbf84671e", "mysql-mariadb-11.8"),
    ("mysql", "adapter-contracts/mysql:9-a8022e1a6210", "mysql-9"),
    ("mysql", "mysql:8.4", "mysql-8.4"),
    ("mongo", "mongo:8.0", "mongo-8.0"),
])
def test_built_and_official_images_are_named_by_engine_and_version(engine_id: str, image: str, label: str) -> None:
    # The content hash after the version never reaches the id: ids stay stable across rebuilds.
    assert image_label(engine_id, image) == label


def test_each_image_is_its_own_target_and_k_engine_selects_them_all() -> None:
    config = HarnessConfig.from_values({
        "contract_engines": "postgres,mysql",
        "contract_postgres_images": ["adapter-contracts/postgres:15-aa", "adapter-contracts/postgres:17-bb"],
        "contract_mysql_images": "adapter-contracts/mariadb:10.11-cc,adapter-contracts/mysql:9-dd",
    })
    targets = resolve_targets(config)
    assert [t.id for t in targets] == ["postgres-15", "postgres-17", "mysql-mariadb-10.11", "mysql-9"]
    assert [t.engine for t in targets] == ["postgres", "postgres", "mysql", "mysql"]
    # -k matches substrings of the test id: every version of an engine carries its name.
    assert [t.id for t in targets if "postgres" in t.id] == ["postgres-15", "postgres-17"]
    assert [t.id for t in targets if "mysql" in t.id] == ["mysql-mariadb-10.11", "mysql-9"]


def test_the_engine_runs_the_targets_image() -> None:
    assert load_engine(Target("postgres-17", "postgres", "adapter-contracts/postgres:17-x")).image == \
        "adapter-contracts/postgres:17-x"
    assert load_engine("postgres").image is None  # the provider then picks the default


# -- the container provider --------------------------------------------------------------------

class FakeContainer:
    def __init__(self, image: str, *, fail: BaseException | None = None) -> None:
        self.image = image
        self.fail = fail
        self.kwargs: dict[str, Any] = {}
        self.started = False
        self.stopped = 0
        self.tmpfs: list[str] = []
        self._kwargs: dict[str, Any] = {"platform": "linux/amd64"}

    def with_kwargs(self, **kwargs: Any) -> FakeContainer:
        self._kwargs = kwargs  # replaces, as testcontainers' does
        self.kwargs = kwargs
        return self

    def with_tmpfs_mount(self, path: str) -> FakeContainer:
        self.tmpfs.append(path)
        return self

    def start(self) -> FakeContainer:
        self.started = True
        if self.fail is not None:
            raise self.fail
        return self

    def stop(self) -> None:
        self.stopped += 1


@pytest.fixture
def decided(monkeypatch: pytest.MonkeyPatch) -> None:
    """No Docker engine is asked: Ryuk is decided off, as on a machine without its image."""
    monkeypatch.setattr(containers, "_ryuk", lambda: containers.RyukDecision(True, "test"))


@pytest.mark.usefixtures("decided")
def test_provider_runs_the_image_it_is_given_and_removes_it_with_the_stack() -> None:
    made: list[FakeContainer] = []

    def make(image: str) -> FakeContainer:
        made.append(FakeContainer(image))
        return made[-1]

    with ExitStack() as stack:
        first = containers.start("adapter-contracts/mysql:9-x", make, stack, data_dir="/var/lib/mysql")
        second = containers.start("postgres:16-alpine", make, stack, data_dir="/var/lib/postgresql/data")
        assert [c.stopped for c in made] == [0, 0]
    assert [first, second] == made
    assert [c.image for c in made] == ["adapter-contracts/mysql:9-x", "postgres:16-alpine"]
    assert [c.tmpfs for c in made] == [["/var/lib/mysql"], ["/var/lib/postgresql/data"]]
    assert [c.stopped for c in made] == [1, 1]  # removed when the engine's stack closes


@pytest.mark.usefixtures("decided")
@pytest.mark.parametrize("first_out", ["sync", "twin"])
def test_an_engine_and_its_twin_share_one_container_removed_after_both(first_out: str) -> None:
    made: list[FakeContainer] = []

    def start_one(own: ExitStack) -> str:
        container = containers.start("img:15", lambda image: FakeContainer(image), own, data_dir="/data")
        made.append(container)
        return f"server {len(made)}"

    sync, twin, other = ExitStack(), ExitStack(), ExitStack()
    assert containers.shared("postgres img:15", sync, start_one) == ("server 1", 0)
    assert containers.shared("postgres img:15", twin, start_one) == ("server 1", 1)  # the same container
    assert containers.shared("postgres img:17", other, start_one) == ("server 2", 0)  # another image: its own
    assert [c.stopped for c in made] == [0, 0]
    (sync if first_out == "sync" else twin).close()
    assert [c.stopped for c in made] == [0, 0]  # the other sharer still runs on it
    (twin if first_out == "sync" else sync).close()
    assert [c.stopped for c in made] == [1, 0]  # removed with its last sharer
    other.close()
    assert [c.stopped for c in made] == [1, 1]
    with ExitStack() as again:  # a later engine on that image starts a new one
        assert containers.shared("postgres img:15", again, start_one) == ("server 3", 0)
    assert made[2].stopped == 1


@pytest.mark.usefixtures("decided")
def test_a_shared_container_that_fails_to_start_is_removed_and_not_shared() -> None:
    container = FakeContainer("img", fail=RuntimeError("wait strategy timed out"))

    def start_one(own: ExitStack) -> Any:
        return containers.start("img", lambda image: container, own, data_dir="/data")

    with ExitStack() as stack, pytest.raises(ProvisionUnavailable):
        containers.shared("mysql img", stack, start_one)
    assert container.stopped == 1
    with ExitStack() as stack:
        fresh = FakeContainer("img")
        assert containers.shared("mysql img", stack, lambda own: containers.start(
            "img", lambda image: fresh, own, data_dir="/data")) == (fresh, 0)


def test_every_server_engine_names_its_default_image_and_where_it_keeps_data() -> None:
    engines = server_engines()
    assert [cls.id for cls in engines] == ["postgres", "mysql", "mongo"]
    for cls in engines:
        assert cls.server is not None
        assert ":" in cls.server.default_image, cls.id
        assert cls.server.image_data_dir.startswith("/"), cls.id


@pytest.mark.usefixtures("decided")
def test_containers_are_labelled_with_run_pid_and_host() -> None:
    container = FakeContainer("x")
    with ExitStack() as stack:
        containers.start("x", lambda image: container, stack, data_dir="/var/lib/postgresql/data")
    labels = container.kwargs["labels"]
    assert labels == containers.container_labels()
    assert set(labels) == {containers.LABEL_RUN, containers.LABEL_PID, containers.LABEL_HOST}
    assert not any("password" in value.lower() for value in labels.values())
    assert container.kwargs["platform"] == "linux/amd64"  # what was set before is kept
    assert container.tmpfs == ["/var/lib/postgresql/data"]  # throwaway data off the overlay


@pytest.mark.usefixtures("decided")
@pytest.mark.parametrize("failure", [RuntimeError("wait strategy timed out"), KeyboardInterrupt()])
def test_a_container_that_fails_or_is_interrupted_while_starting_is_removed(failure: BaseException) -> None:
    container = FakeContainer("img", fail=failure)
    expected: type[BaseException] = ProvisionUnavailable if isinstance(failure, Exception) else KeyboardInterrupt
    with ExitStack() as stack, pytest.raises(expected) as raised:
        containers.start("img", lambda image: container, stack, data_dir="/data")
    assert container.started
    assert container.stopped == 1
    if expected is ProvisionUnavailable:
        assert "container img did not start" in str(raised.value)


@pytest.mark.parametrize(("user", "present", "disabled"), [
    (None, True, False),    # the image is here: Ryuk reaps
    (None, False, True),    # no registry to pull it from: run without, clean up ourselves
    (None, None, False),    # the engine could not say: leave testcontainers' default
    (True, True, True),     # the user's TESTCONTAINERS_RYUK_DISABLED wins either way
    (False, False, False),
])
def test_ryuk_is_disabled_only_when_its_image_is_absent(user: bool | None, present: bool | None,
                                                        disabled: bool) -> None:
    decision = containers.decide_ryuk(user, "testcontainers/ryuk:0.8.1", present)
    assert decision.disabled is disabled
    if user is None and present is False:
        assert "removes its containers itself" in decision.reason


def test_leftovers_are_this_hosts_containers_of_dead_processes() -> None:
    class Found:
        def __init__(self, host: str, pid: str) -> None:
            self.labels = {containers.LABEL_HOST: host, containers.LABEL_PID: pid, containers.LABEL_RUN: "r"}

    dead, alive, elsewhere, garbled = Found("h", "10"), Found("h", "11"), Found("other", "10"), Found("h", "x")
    found = containers.leftovers([dead, alive, elsewhere, garbled], "h", lambda pid: pid == 11)
    assert found == [dead]


# -- content-hash tags -------------------------------------------------------------------------

def _refs(scripts: Path, cache: Path) -> dict[str, str]:
    done = subprocess.run(["bash", str(scripts / "build.sh"), "--list"], capture_output=True, text=True,
                          check=True, env=child_env(CONTRACT_IMAGE_CACHE=str(cache)), timeout=60)
    return dict(line.split(" ", 1) for line in done.stdout.splitlines())


def test_tags_follow_the_content_that_builds_the_image(tmp_path: Path) -> None:
    scripts = tmp_path / "images"
    shutil.copytree(BUILD.parent, scripts)
    first = _refs(scripts, tmp_path / "cache")
    assert set(first) == {"pg15", "pg17", "mariadb1011", "mariadb118", "mysql9"}
    assert first["pg17"].startswith("adapter-contracts/postgres:17-")
    assert first["mysql9"].startswith("adapter-contracts/mysql:9-")
    assert len(set(first.values())) == 5
    assert _refs(scripts, tmp_path / "cache") == first  # nothing changed: the same tags, no rebuild

    entrypoint = scripts / "postgres-entrypoint.sh"
    entrypoint.write_text(entrypoint.read_text() + "# changed\n")
    second = _refs(scripts, tmp_path / "cache")
    changed = {name for name in first if first[name] != second[name]}
    assert changed == {"pg15", "pg17"}  # only the images that entrypoint builds


# -- the real thing ----------------------------------------------------------------------------

#: Set where a Docker engine must answer (the matrix step of .ci/run): the test then fails, not skips.
REQUIRE_DOCKER = "CONTRACT_REQUIRE_DOCKER"


@pytest.mark.heavy
def test_two_postgres_versions_give_two_verdicts_through_real_containers(tmp_path: Path) -> None:
    reason = docker_available()
    if reason is not None:
        if os.environ.get(REQUIRE_DOCKER):  # scripts/container-matrix.sh, where a skip would hide it
            pytest.fail(f"{REQUIRE_DOCKER} is set but there is no Docker engine: {reason}")
        pytest.skip(f"no Docker engine: {reason} (scripts/container-matrix.sh runs this test)")
    built = subprocess.run(["bash", str(BUILD), "pg15", "pg17"], capture_output=True, text=True,
                           env=child_env(), timeout=1200)
    assert built.returncode == 0, built.stderr[-2000:]
    refs = dict(line.split(" ", 1) for line in built.stdout.splitlines())
    report = tmp_path / "report"
    run = subprocess.run(
        # One contract file at the child budget: each version's own verdict is checked, never a certificate.
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.child_budget",
         f"{CONTRACTS}/test_users.py",
         "--engine", "postgres,postgres-async", "--postgres-image", refs["pg15"], "--postgres-image", refs["pg17"],
         "--require-engine", "all", "--conformance-report", str(report)],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
        env=child_env(CONTRACT_RUN_ID=f"test-{tmp_path.name}", TESTCONTAINERS_CONNECTION_MODE="docker_host"),
    )
    engines = json.loads(report.with_suffix(".json").read_text())["engines"]
    assert set(engines) == {"postgres-15", "postgres-17", "postgres-async-15", "postgres-async-17"}, \
        run.stdout[-2000:]
    for version in ("15", "17"):
        sync, twin = engines[f"postgres-{version}"], engines[f"postgres-async-{version}"]
        assert sync["server_version"].startswith(f"PostgreSQL {version}.")
        assert twin["server_version"] == sync["server_version"]
        assert sync["image"] == twin["image"] == refs[f"pg{version}"]
        # One container per image, the twin in a database of its own on it.
        server, _, database = sync["target"].rpartition("/")
        assert twin["target"].rpartition("/")[0] == server
        assert twin["target"].rpartition("/")[2] != database
    assert engines["postgres-15"]["target"].rpartition("/")[0] != engines["postgres-17"]["target"].rpartition("/")[0]
    assert all(e["provider"] == "container" for e in engines.values())
    # A subset of the contracts certifies nothing, but each version has its own verdict.
    assert all(e["verdict"].startswith("NOT CERTIFIED") for e in engines.values())
    left = subprocess.run(["docker", "ps", "-aq", "--filter",
                           f"label={containers.LABEL_RUN}=test-{tmp_path.name}"],
                          capture_output=True, text=True, check=True)
    assert left.stdout.strip() == ""  # removed by the harness, with or without Ryuk
