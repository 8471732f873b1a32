"""The provider chain: order, cheap skips, explicit choice, and the reasons it reports."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any, ClassVar

import pytest

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.memory import MemoryAdapter
from adapter_contracts.harness import session as session_module
from adapter_contracts.harness.config import ConfigError, HarnessConfig
from adapter_contracts.harness.engines.base import Endpoint, Engine
from adapter_contracts.harness.engines.postgres import PostgresEngine
from adapter_contracts.harness.provision.common import ProvisionUnavailable
from adapter_contracts.harness.session import EngineSession, EngineUnavailable


class FakeEngine(Engine):
    id = "postgres"
    label = "fake"
    providers = ("dsn", "container", "local")
    server = PostgresEngine.server
    available: ClassVar[set[str]] = set()
    broken: ClassVar[set[str]] = set()
    calls: ClassVar[list[str]] = []
    cleaned: ClassVar[list[str]] = []

    def start(self, provider: str, config: HarnessConfig, stack: ExitStack) -> Endpoint:
        type(self).calls.append(provider)
        stack.callback(type(self).cleaned.append, provider)
        if provider in self.broken:
            raise FileNotFoundError(2, "No such file or directory", "runuser")
        if provider not in self.available:
            raise ProvisionUnavailable(f"{provider} not here")
        return Endpoint(engine=self.id, provider=provider, dsn="fake://u:pw@h", database="d",
                        server_version="1.0", driver="fake")

    def make_adapter(self, endpoint: Endpoint) -> Adapter:
        return MemoryAdapter()

    def reset(self) -> None: ...

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        return {}


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> type[FakeEngine]:
    FakeEngine.available = set()
    FakeEngine.broken = set()
    FakeEngine.calls = []
    FakeEngine.cleaned = []
    monkeypatch.setattr(session_module, "load_engine", lambda engine_id: FakeEngine())
    return FakeEngine


def make_session(monkeypatch: pytest.MonkeyPatch, docker: str | None, **values: Any) -> EngineSession:
    monkeypatch.setattr(session_module, "docker_available", lambda: docker)
    return EngineSession(HarnessConfig.from_values(values))


def test_falls_through_to_local_when_no_dsn_and_no_docker(monkeypatch: pytest.MonkeyPatch,
                                                          fake: type[FakeEngine]) -> None:
    fake.available = {"local"}
    engines = make_session(monkeypatch, docker="no Docker socket at /x")
    started = engines.get("postgres")
    assert started.endpoint.provider == "local"
    assert fake.calls == ["local"]  # dsn and container were never attempted
    assert started.attempts[0].startswith("dsn: no --postgres-dsn")
    assert started.attempts[1] == "container: no Docker socket at /x"


def test_dsn_first_when_given(monkeypatch: pytest.MonkeyPatch, fake: type[FakeEngine]) -> None:
    fake.available = {"dsn", "local"}
    engines = make_session(monkeypatch, docker=None, contract_postgres_dsn="postgresql://x")
    assert engines.get("postgres").endpoint.provider == "dsn"
    assert fake.calls == ["dsn"]


def test_container_tried_when_docker_answers(monkeypatch: pytest.MonkeyPatch, fake: type[FakeEngine]) -> None:
    fake.available = {"container", "local"}
    engines = make_session(monkeypatch, docker=None)
    assert engines.get("postgres").endpoint.provider == "container"


def test_failed_provider_is_cleaned_up_before_the_next(monkeypatch: pytest.MonkeyPatch,
                                                       fake: type[FakeEngine]) -> None:
    fake.available = {"local"}
    engines = make_session(monkeypatch, docker=None)
    engines.get("postgres")
    assert fake.cleaned == ["container"]
    engines.close()
    assert fake.cleaned == ["container", "local"]


def test_unavailable_lists_every_attempt_once(monkeypatch: pytest.MonkeyPatch, fake: type[FakeEngine]) -> None:
    engines = make_session(monkeypatch, docker="Docker engine did not answer")
    with pytest.raises(EngineUnavailable) as first:
        engines.get("postgres")
    message = str(first.value)
    assert "dsn: no --postgres-dsn" in message
    assert "container: Docker engine did not answer" in message
    assert "local: local not here" in message
    with pytest.raises(EngineUnavailable):
        engines.get("postgres")
    assert fake.calls == ["local"]  # not retried


def test_explicit_provider_is_the_only_one_tried(monkeypatch: pytest.MonkeyPatch, fake: type[FakeEngine]) -> None:
    fake.available = {"container", "local"}
    engines = make_session(monkeypatch, docker=None, contract_provider="postgres=local")
    assert engines.get("postgres").endpoint.provider == "local"
    assert fake.calls == ["local"]


def test_a_dsn_is_the_only_provider_of_its_engine(monkeypatch: pytest.MonkeyPatch, fake: type[FakeEngine]) -> None:
    """The named target is the certified target: a DSN that cannot be used is never replaced by
    a throwaway server; the engine is unavailable with the DSN's (masked) error."""
    fake.available = {"container", "local"}
    engines = make_session(monkeypatch, docker=None, contract_postgres_dsn="postgresql://u:pw@h:5999/db")
    with pytest.raises(EngineUnavailable) as info:
        engines.get("postgres")
    assert fake.calls == ["dsn"]
    assert "tried dsn postgresql://u:***@h:5999/db: dsn not here" in str(info.value)


def test_a_provider_that_contradicts_a_dsn_is_a_usage_error(monkeypatch: pytest.MonkeyPatch,
                                                             fake: type[FakeEngine]) -> None:
    with pytest.raises(ConfigError, match="--provider postgres=local contradicts --postgres-dsn"):
        make_session(monkeypatch, docker=None, contract_provider="postgres=local",
                     contract_postgres_dsn="postgresql://x")


@pytest.mark.parametrize(("provider", "message"), [
    ("cloud", "--provider='cloud' is not a provider; known: container, dsn, file, local, memory, mongomock"),
    ("postgres=memory", "--provider postgres=memory: 'memory' is not a provider of postgres"),
    ("oracle=dsn", "--provider oracle=dsn: 'oracle' is not an engine"),
])
def test_unknown_providers_are_usage_errors(monkeypatch: pytest.MonkeyPatch, fake: type[FakeEngine],
                                            provider: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        make_session(monkeypatch, docker=None, contract_provider=provider)
    assert str(info.value).startswith(message), info.value


def test_endpoint_never_prints_the_password(monkeypatch: pytest.MonkeyPatch, fake: type[FakeEngine]) -> None:
    fake.available = {"local"}
    endpoint = make_session(monkeypatch, docker=None).get("postgres").endpoint
    assert "pw" not in endpoint.redacted()
    assert "pw" not in endpoint.describe()


def test_an_os_error_in_a_provider_is_a_reason_and_the_next_provider_is_tried(
    monkeypatch: pytest.MonkeyPatch, fake: type[FakeEngine]
) -> None:
    fake.broken = {"container"}
    fake.available = {"local"}
    started = make_session(monkeypatch, docker=None).get("postgres")
    assert started.endpoint.provider == "local"
    assert "container: FileNotFoundError: [Errno 2] No such file or directory: 'runuser'" in started.attempts
    assert "container" in fake.cleaned
    fake.broken = {"local"}
    fake.available = set()
    with pytest.raises(EngineUnavailable, match=r"local: FileNotFoundError: .*runuser"):
        make_session(monkeypatch, docker="no Docker socket at /x").get("postgres")
