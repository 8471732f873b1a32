"""Factories for tests/test_certificate.py: unusable ones, each one usage error (exit 4), and one whose
adapter ends the process in the middle of the run."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from adapter_contracts.adapters.memory import MemoryAdapter
from adapter_contracts.harness.plugging import adapter_factory

if TYPE_CHECKING:
    from adapter_contracts.harness.engines.base import Endpoint


@adapter_factory(engine="memory")
def raises(endpoint: Endpoint) -> Any:
    raise RuntimeError("cannot reach the licence server")


@adapter_factory(engine="memory")
def returns_a_dict(endpoint: Endpoint) -> Any:
    return {"not": "an adapter"}


def unmarked(endpoint: Endpoint) -> Any:
    raise AssertionError("never called: the factory names no engine")


class _ExitsMidRun(MemoryAdapter):
    """An adapter that ends the process, successfully, in the middle of the run: no verdict is printed."""

    def create_user(self, **kwargs: Any) -> Any:
        os._exit(0)


@adapter_factory(engine="memory")
def exits_mid_run(endpoint: Endpoint) -> Any:
    return _ExitsMidRun(endpoint.extra["store"])
