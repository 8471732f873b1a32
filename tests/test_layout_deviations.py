"""A storage layout that deviates from the canonical one reaches the layout verdict, one line per
difference, and never an INTERNALERROR (issue 17, item 7): the harness's own raw reads (the tables
present, the write probe, reset, snapshot) assume nothing of the column types the adapter chose."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapter_contracts.harness.config import HarnessConfig
from adapter_contracts.harness.engines import ENGINES
from adapter_contracts.harness.plugging import load_factory
from adapter_contracts.harness.schema import introspect
from adapter_contracts.harness.schema.layout import layout_differences
from adapter_contracts.harness.session import EngineSession, StartedEngine
from tests.inner import CONTRACTS, child_env

ROOT = Path(__file__).resolve().parents[1]
PG = "postgresql://postgres@127.0.0.1:5432/postgres"
MYSQL = "mysql://root@127.0.0.1:3306"


@pytest.fixture
def deviating(request: pytest.FixtureRequest) -> Iterator[StartedEngine]:
    spec, engine, dsn = request.param
    config = HarnessConfig.from_values({"contract_engines": engine, f"contract_{engine}_dsn": dsn,
                                        "contract_adapter": spec})
    session = EngineSession(config, load_factory(spec, set(ENGINES)))
    try:
        yield session.get(engine)
    finally:
        session.close()


@pytest.mark.parametrize(("deviating", "difference"), [
    (("tests.deviating:json_not_jsonb", "postgres", PG), "campaigns.payload: type expected jsonb, found json"),
    (("tests.deviating:users_without_name", "postgres", PG), "users.name"),
    (("tests.deviating:text_and_shifted_columns", "mysql", MYSQL), "client_oauth.data: type expected json"),
], indirect=["deviating"], ids=["postgres-json-for-jsonb", "postgres-missing-column", "mysql-text-and-shift"])
def test_raw_reads_survive_the_deviation_and_the_layout_names_it(deviating: StartedEngine, difference: str) -> None:
    started = deviating
    assert started.unusable is None, started.unusable
    assert started.dead is None
    client = started.adapter.create_client(payload={"k": [1, "v"]}, id="c1")
    started.adapter.save_oauth(client.id, "meta", {"t": 1})
    rows = started.snapshot()
    assert len(rows["clients"]) == 1
    assert rows == started.snapshot(), "two raw reads of unchanged storage differ"
    started.reset()
    assert not any(started.snapshot().values())
    assert started.engine.layout is not None
    lines = layout_differences(started.engine.layout, introspect(started.endpoint))
    assert any(line.startswith(difference) for line in lines), lines


def test_a_deviating_run_ends_in_the_layout_verdict_not_an_internal_error() -> None:
    """The verdict, not a certificate, is checked: a few examples per contract (tests/child_budget.py)."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "tests.child_budget", "-q",
         "--postgres-dsn", PG, "--adapter", "tests.deviating:json_not_jsonb",
         f"{CONTRACTS}/test_schema.py", f"{CONTRACTS}/test_clients.py"],
        cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=300, check=False)
    out = done.stdout + done.stderr
    assert "INTERNALERROR" not in out, out[-3000:]
    assert done.returncode == int(pytest.ExitCode.TESTS_FAILED), out[-3000:]
    assert "campaigns.payload: type expected jsonb, found json" in out, out[-3000:]
    assert "postgres: NOT CERTIFIED" in out, out[-3000:]
