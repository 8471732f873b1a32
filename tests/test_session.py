"""The provider chain: order, cheap skips, explicit choice, and the reasons it reports."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any, ClassVar

import pytest

from adapters.base import Adapter
from adapters.memory import MemoryAdapter
from harness import session as session_module
from harness.config import HarnessConfig
from harness.engines.base import Backend, Endpoint
from harness.provision.common import ProvisionUnavailable
from harness.session import EngineSession, EngineUnavailable


class FakeBackend(Backend):
    id = "postgres"
    label = "fake"
    providers = ("dsn", "container", "local")
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
def fake(monkeypatch: pytest.MonkeyPatch) -> type[FakeBackend]:
    FakeBackend.available = set()
    FakeBackend.broken = set()
    FakeBackend.calls = []
    FakeBackend.cleaned = []
    monkeypatch.setattr(session_module, "load_backend", lambda engine_id: FakeBackend())
    return FakeBackend


def make_session(monkeypatch: pytest.MonkeyPatch, docker: str | None, **values: Any) -> EngineSession:
    monkeypatch.setattr(session_module, "docker_available", lambda: docker)
    return EngineSession(HarnessConfig.from_values(values))


def test_falls_through_to_local_when_no_dsn_and_no_docker(monkeypatch: pytest.MonkeyPatch,
                                                          fake: type[FakeBackend]) -> None:
    fake.available = {"local"}
    engines = make_session(monkeypatch, docker="no Docker socket at /x")
    started = engines.get("postgres")
    assert started.endpoint.provider == "local"
    assert fake.calls == ["local"]  # dsn and container were never attempted
    assert started.attempts[0].startswith("dsn: no --postgres-dsn")
    assert started.attempts[1] == "container: no Docker socket at /x"


def test_dsn_first_when_given(monkeypatch: pytest.MonkeyPatch, fake: type[FakeBackend]) -> None:
    fake.available = {"dsn", "local"}
    engines = make_session(monkeypatch, docker=None, contract_postgres_dsn="postgresql://x")
    assert engines.get("postgres").endpoint.provider == "dsn"
    assert fake.calls == ["dsn"]


def test_container_tried_when_docker_answers(monkeypatch: pytest.MonkeyPatch, fake: type[FakeBackend]) -> None:
    fake.available = {"container", "local"}
    engines = make_session(monkeypatch, docker=None)
    assert engines.get("postgres").endpoint.provider == "container"


def test_failed_provider_is_cleaned_up_before_the_next(monkeypatch: pytest.MonkeyPatch,
                                                       fake: type[FakeBackend]) -> None:
    fake.available = {"local"}
    engines = make_session(monkeypatch, docker=None)
    engines.get("postgres")
    assert fake.cleaned == ["container"]
    engines.close()
    assert fake.cleaned == ["container", "local"]


def test_unavailable_lists_every_attempt_once(monkeypatch: pytest.MonkeyPatch, fake: type[FakeBackend]) -> None:
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


def test_explicit_provider_is_the_only_one_tried(monkeypatch: pytest.MonkeyPatch, fake: type[FakeBackend]) -> None:
    fake.available = {"dsn", "local"}
    engines = make_session(monkeypatch, docker=None, contract_provider="postgres=local",
                           contract_postgres_dsn="postgresql://x")
    assert engines.get("postgres").endpoint.provider == "local"
    assert fake.calls == ["local"]


def test_unknown_explicit_provider(monkeypatch: pytest.MonkeyPatch, fake: type[FakeBackend]) -> None:
    engines = make_session(monkeypatch, docker=None, contract_provider="cloud")
    with pytest.raises(EngineUnavailable, match="provider 'cloud' is not one of dsn, container, local"):
        engines.get("postgres")


def test_endpoint_never_prints_the_password(monkeypatch: pytest.MonkeyPatch, fake: type[FakeBackend]) -> None:
    fake.available = {"local"}
    endpoint = make_session(monkeypatch, docker=None).get("postgres").endpoint
    assert "pw" not in endpoint.redacted()
    assert "pw" not in endpoint.describe()


def test_an_os_error_in_a_provider_is_a_reason_and_the_next_provider_is_tried(
    monkeypatch: pytest.MonkeyPatch, fake: type[FakeBackend]
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
