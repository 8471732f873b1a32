"""The async interface mirrors the sync one, and the harness's bridge runs every contract against an AsyncAdapter."""

from __future__ import annotations

import asyncio
import concurrent.futures
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import adapter_contracts
from adapter_contracts import Adapter, AsyncAdapter, ValidationError
from adapter_contracts.adapters.async_base import check_mirrors, operations
from adapter_contracts.adapters.memory import MemoryStore
from adapter_contracts.adapters.memory_async import AsyncMemoryAdapter
from adapter_contracts.harness.bridge import AsyncBridge, BridgeTimeout, open_bridge
from adapter_contracts.harness.plugging import load_factory

ROOT = Path(__file__).resolve().parent.parent


def test_async_adapter_has_exactly_the_sync_operations() -> None:
    check_mirrors()
    assert operations(AsyncAdapter) == operations(Adapter)
    assert AsyncAdapter.__abstractmethods__ == Adapter.__abstractmethods__
    assert "AsyncAdapter" in adapter_contracts.__all__
    assert "async_adapter_factory" in adapter_contracts.__all__


def test_a_drifted_interface_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    async def get_user(self: Any, user_id: str, extra: int = 0) -> None: ...

    monkeypatch.setattr(AsyncAdapter, "get_user", get_user)
    with pytest.raises(TypeError, match="get_user"):
        check_mirrors()


def _bridge() -> AsyncBridge:
    bridge = open_bridge(lambda: AsyncMemoryAdapter(MemoryStore()), "AsyncMemoryAdapter")  # type: ignore[abstract]
    assert isinstance(bridge, AsyncBridge)
    return bridge


def test_the_bridge_passes_results_and_errors_through_unchanged() -> None:
    bridge = _bridge()
    try:
        user = bridge.create_user(email="A@x", password_hash="h", id="u1")
        assert bridge.get_user("u1") == user
        with pytest.raises(ValidationError) as caught:
            bridge.get_user("x" * 100)
        assert caught.value.field == "user_id"
        assert type(bridge).unsupported == AsyncMemoryAdapter.unsupported
        assert type(bridge).__name__ == "AsyncBridge[AsyncMemoryAdapter]"
    finally:
        bridge.close()
    assert not bridge.loop_thread.thread.is_alive()


def test_a_hung_coroutine_is_cancelled_within_the_bound() -> None:
    bridge = _bridge()
    cancelled: list[bool] = []

    async def hang(_: AsyncAdapter) -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    try:
        with pytest.raises(BridgeTimeout):
            bridge.run(hang, timeout=0.2)
        assert cancelled == [True]
    finally:
        bridge.close()


def test_an_exception_is_the_coroutines_own_object_and_a_cancelled_one_an_exception() -> None:
    bridge = _bridge()
    raised = LookupError("the adapter's own")

    async def fail(_: AsyncAdapter) -> None:
        raise raised

    async def cancel_itself(_: AsyncAdapter) -> None:
        task = asyncio.current_task()
        assert task is not None
        task.cancel()
        await asyncio.sleep(0)

    try:
        with pytest.raises(LookupError) as caught:
            bridge.run(fail)
        assert caught.value is raised
        # Not asyncio's CancelledError, a BaseException that would escape the contracts' own handling.
        with pytest.raises(concurrent.futures.CancelledError):
            bridge.run(cancel_itself)
        assert bridge.get_user("u1") is None  # the loop goes on serving
    finally:
        bridge.close()


def test_async_factories_load_as_bridged_factories() -> None:
    for name in ("memory", "memory_sync_made"):
        plugged = load_factory(f"tests.async_factories:{name}")
        assert plugged.engine == "memory-async"
        assert plugged.factory.flavour == "async"  # type: ignore[attr-defined]


def test_every_contract_area_passes_through_the_bridge() -> None:
    """A child run of three contract areas against the reference behind coroutines (about 4 s)."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
         "--adapter", "tests.async_factories:memory", "--hypothesis-profile", "dev",
         "adapter_contracts/contracts/test_users.py", "adapter_contracts/contracts/test_cascades.py",
         "adapter_contracts/contracts/test_capabilities.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert " failed" not in result.stdout, result.stdout[-3000:]
    assert "memory-async (async): " in result.stdout, result.stdout[-3000:]


def test_an_async_factory_on_a_sync_engine_is_a_usage_error() -> None:
    """A child run that stops at configuration (about 1 s)."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "--adapter", "tests.async_factories:on_a_sync_engine", "adapter_contracts/contracts/test_capabilities.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 4, result.stdout[-2000:] + result.stderr[-2000:]
    assert "an async factory needs an async engine" in result.stdout + result.stderr


def test_async_engines_count_their_twins_contracts_plus_the_async_native_ones() -> None:
    from adapter_contracts.harness.engines import ENGINES, engine_class
    from adapter_contracts.harness.manifest import area_of, load_manifest

    manifest = load_manifest()
    twins = {name: engine_class(name).twin for name in ENGINES if engine_class(name).flavour == "async"}
    assert set(twins) == {"memory-async", "postgres-async", "mysql-async", "mongo-async", "mongomock-async"}
    for name, twin in twins.items():
        assert twin is not None
        ours, theirs = manifest.contracts(name), manifest.contracts(twin)
        native = {c for c in ours if area_of(c) == "async"}
        assert native
        assert ours - native == theirs, name
        assert not {c for c in theirs if area_of(c) == "async"}
