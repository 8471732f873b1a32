"""MongoDB gets every guarantee the SQL engines have (issue 18, item 3): an owner record in the database
it creates, the watchdog's hook, the sweep of ended runs' ``contract_*`` databases and of its mongod work
directories.  Proven on the mongomock stand-in (labelled: it runs the real engine's database functions on
an in-process client), and, for the SIGKILL path, against a real MongoDB in the workflow's MongoDB job.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from adapter_contracts.harness.config import HarnessConfig
from adapter_contracts.harness.engines.mongo import MongoEngine, provisioning
from adapter_contracts.harness.engines.mongo.standin import MongomockEngine
from adapter_contracts.harness.provision import watchdog as watchdog_module
from adapter_contracts.harness.provision.common import MARKER_TABLE, MARKER_TEXT
from adapter_contracts.harness.provision.ownership import OWNER_FILE, owner_record, parse_owner, sweep_workdirs
from tests.inner import CONTRACTS, child_env
from tests.throwaway import family as process_family

mongomock = pytest.importorskip("mongomock")

ROOT = Path(__file__).resolve().parents[1]
#: Set in the workflow's real-MongoDB job, where the SIGKILL test must run: it fails there instead of skipping.
REQUIRE_REAL_MONGO = "CONTRACT_REQUIRE_REAL_MONGO"


@pytest.fixture
def ended() -> dict[str, Any]:
    """The owner record of a process that has ended."""
    process = subprocess.Popen(["sleep", "60"])
    record = owner_record(process.pid)
    process.kill()
    process.wait()
    return record


def _leftover(client: Any, name: str, record: dict[str, Any] | None, note: str = MARKER_TEXT) -> None:
    db = client[name]
    if record is None:
        db["users"].insert_one({"_id": "someone's"})
    else:
        db[MARKER_TABLE].insert_one({"note": note, "owner": json.dumps(record)})
        db["users"].insert_one({"_id": "u"})


def test_the_stand_in_provisions_a_database_of_its_own_with_an_owner_record_and_drops_it() -> None:
    engine = MongomockEngine()
    with ExitStack() as stack:
        endpoint = engine.start("mongomock", HarnessConfig(), stack)
        client = endpoint.extra["client"]
        assert endpoint.database.startswith("contract_")
        marker = list(client[endpoint.database][MARKER_TABLE].find({}))
        assert [doc["note"] for doc in marker] == [MARKER_TEXT]
        record = parse_owner(marker[0]["owner"])
        assert record is not None
        assert record["pid"] == os.getpid()
        assert engine.conditions_unmet == {}
    assert endpoint.database not in client.list_database_names()


def test_a_database_on_a_server_is_guarded_by_the_watchdog_and_released_when_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(watchdog_module.watchdog, "_send", sent.append)
    client = mongomock.MongoClient()
    monkeypatch.setattr(provisioning, "MongoClient", lambda *args, **kwargs: client)
    monkeypatch.setattr(client, "close", lambda: None)
    with ExitStack() as stack:
        db = provisioning.own_database(MongoEngine(), client, "mongodb://user:pw@db.example:27017", stack)
        assert sent == [{"add": ["database", "adapter_contracts.harness.engines.mongo.provisioning:drop_owned_database",
                                 "mongodb://user:pw@db.example:27017", db.name]}]
        assert db.name in client.list_database_names()
    assert db.name not in client.list_database_names()
    assert sent[1] == {"remove": sent[0]["add"]}


def test_the_sweep_drops_only_ended_runs_databases_of_this_machine(ended: dict[str, Any]) -> None:
    client = mongomock.MongoClient()
    elsewhere = {**ended, "host": "another-machine"}
    _leftover(client, "contract_dead", ended)
    _leftover(client, "contract_alive", owner_record())
    _leftover(client, "contract_elsewhere", elsewhere)
    _leftover(client, "contract_forged", ended, note="not the harness's")
    _leftover(client, "contract_unmarked", None)
    _leftover(client, "appdb", ended)
    assert provisioning.sweep_databases(client) == ["contract_dead"]
    assert sorted(client.list_database_names()) == [
        "appdb", "contract_alive", "contract_elsewhere", "contract_forged", "contract_unmarked"]


def test_the_next_stand_in_run_reports_what_it_swept(ended: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    client = mongomock.MongoClient(tz_aware=True)
    _leftover(client, "contract_dead", ended)
    monkeypatch.setattr(mongomock, "MongoClient", lambda **kwargs: client)
    engine = MongomockEngine()
    with ExitStack() as stack:
        engine.start("mongomock", HarnessConfig(), stack)
        assert engine.swept == ["contract_dead"]


def test_the_watchdogs_hook_drops_only_what_the_run_made(monkeypatch: pytest.MonkeyPatch) -> None:
    client = mongomock.MongoClient()
    monkeypatch.setattr(provisioning, "MongoClient", lambda *args, **kwargs: client)
    monkeypatch.setattr(client, "close", lambda: None)
    _leftover(client, "contract_ours", owner_record())
    _leftover(client, "contract_theirs", None)
    client["contract_just_created"]  # CREATE happened, the marker not yet: nothing there at all
    for name in ("contract_ours", "contract_theirs", "contract_just_created"):
        provisioning.drop_owned_database("mongodb://127.0.0.1", name)
    assert client.list_database_names() == ["contract_theirs"]


def test_the_watchdog_process_calls_an_engines_hook_when_the_run_dies(tmp_path: Path) -> None:
    """The watchdog knows no engine: after the pipe closes without its final word it imports the hook the
    engine registered (here a test's) and calls it with the server and the database name."""
    hook = tmp_path / "hooks" / "fake_engine_hook.py"
    hook.parent.mkdir()
    hook.write_text("from pathlib import Path\n\ndef drop(server, name):\n"
                    f"    Path({str(tmp_path / 'dropped')!r}).write_text(server + ' ' + name)\n")
    process = subprocess.Popen([sys.executable, "-m", "adapter_contracts.harness.provision.watchdog"],
                               stdin=subprocess.PIPE, cwd=ROOT,
                               env=child_env(PYTHONPATH=os.pathsep.join([str(hook.parent), str(ROOT)])))
    assert process.stdin is not None
    process.stdin.write(json.dumps({"add": ["database", "fake_engine_hook:drop", "srv://h", "contract_x"]}).encode()
                        + b"\n")
    process.stdin.close()  # the run died: no {"quit": true}
    assert process.wait(timeout=30) == 0
    assert (tmp_path / "dropped").read_text() == "srv://h contract_x"


def test_mongod_work_directories_have_their_prefix_and_are_swept(ended: dict[str, Any]) -> None:
    assert MongoEngine.server is not None
    local = MongoEngine.server.local
    assert local.workdir_prefix == "contract-mongod-"
    assert local.pid_files == ("mongod.pid",)  # --pidfilepath: how the watchdog and the sweep stop it
    made = []
    for label, record in (("dead", ended), ("alive", owner_record())):
        path = Path(tempfile.mkdtemp(prefix=f"{local.workdir_prefix}sweep{label}-"))
        (path / OWNER_FILE).write_text(json.dumps({**record, "pid_files": list(local.pid_files)}))
        made.append(path)
    try:
        swept = sweep_workdirs(local.workdir_prefix)
        assert str(made[0]) in swept
        assert not made[0].exists()
        assert made[1].exists(), "a live run's work directory was removed"
    finally:
        for path in made:
            subprocess.run(["rm", "-rf", str(path)], check=False)


# -- a real MongoDB (the workflow's MongoDB job) ------------------------------------------


@pytest.fixture
def real_mongo() -> str:
    dsn = os.environ.get("CONTRACT_MONGO_DSN")
    if not dsn:
        if os.environ.get(REQUIRE_REAL_MONGO):
            pytest.fail(f"{REQUIRE_REAL_MONGO} is set but CONTRACT_MONGO_DSN names no server")
        pytest.skip("needs a real MongoDB (CONTRACT_MONGO_DSN): runs in the workflow's MongoDB job")
    return dsn


def _databases_of(dsn: str, family: set[int]) -> list[str]:
    from pymongo import MongoClient

    client: Any = MongoClient(dsn, serverSelectionTimeoutMS=10_000)
    try:
        found = []
        for name in client.list_database_names():
            record = client[name][MARKER_TABLE].find_one({}) if name.startswith("contract_") else None
            owner = parse_owner(str(record.get("owner"))) if record else None
            if owner is not None and owner["pid"] in family:
                found.append(name)
        return found
    finally:
        client.close()


def _run(dsn: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--engine", "mongo",
            "--mongo-dsn", dsn, *args]


def test_a_sigkilled_runs_database_is_removed_by_the_next_run(real_mongo: str, tmp_path: Path) -> None:
    """SIGKILL the run and its watchdog alike (a runner killing the job's processes): the database stays
    behind with its owner record, and the next run on this machine removes it before it provisions."""
    output = tmp_path / "output"
    with output.open("w") as sink:
        run = subprocess.Popen(_run(real_mongo, CONTRACTS), cwd=ROOT, env=child_env(PYTHONUNBUFFERED="1"),
                               stdout=sink, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 180
            family: set[int] = set()
            made: list[str] = []
            while not made and time.monotonic() < deadline and run.poll() is None:
                time.sleep(0.3)
                family = set(process_family(run.pid))
                made = _databases_of(real_mongo, family)
            assert made, f"the run made no database:\n{output.read_text()[-3000:]}"
            family = set(process_family(run.pid))
            # The watchdog first: it acts the moment the run's end of the pipe closes.
            for pid in [*sorted(family - {run.pid}), run.pid]:
                os.kill(pid, signal.SIGKILL)
        finally:
            if run.poll() is None:
                run.kill()
            run.wait(timeout=30)
    time.sleep(2)
    assert _databases_of(real_mongo, family) == made, "the killed run's database should still be there"
    done = subprocess.run(_run(real_mongo, f"{CONTRACTS}/test_capabilities.py"), cwd=ROOT, env=child_env(),
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert _databases_of(real_mongo, family) == []
    assert "removed leftovers of ended runs:" in done.stdout, done.stdout[-3000:]
    assert made[0] in done.stdout, done.stdout[-3000:]
