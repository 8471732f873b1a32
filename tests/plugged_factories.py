"""Factories that cannot be used, for tests/test_certificate.py: each must be one usage error (exit 4)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
