"""Starting an engine the way the session does for the built-in adapter: empty storage, then
the adapter's own create_schema() (the harness lays out nothing itself)."""

from __future__ import annotations

from contextlib import ExitStack

from adapter_contracts.harness.config import HarnessConfig
from adapter_contracts.harness.engines.base import Endpoint, Engine

__all__ = ["provision"]


def provision(engine: Engine, provider: str, config: HarnessConfig, stack: ExitStack) -> Endpoint:
    endpoint = engine.start(provider, config, stack)
    with engine.make_adapter(endpoint) as adapter:
        adapter.create_schema()
    return endpoint
