"""Declared limitations are explicit: only registry capabilities, each with the error raised instead."""

from __future__ import annotations

import inspect

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.adapters.errors import AdapterError
from adapter_contracts.harness.capabilities import CAPABILITIES


def test_declared_limitations_name_registry_capabilities_and_errors(adapter: Adapter) -> None:
    for name, error in type(adapter).unsupported.items():
        assert name in CAPABILITIES, f"{name!r} is not an optional capability (harness/capabilities.py)"
        assert inspect.isclass(error), f"{name!r} must map to an error class, got {error!r}"
        assert issubclass(error, AdapterError), f"{name!r} maps to {error.__name__}, not an AdapterError"


def test_core_operations_are_never_optional(adapter: Adapter) -> None:
    # Every abstract method of the contract is core; none may be left abstract or declared away.
    core = {name for name, member in vars(Adapter).items() if getattr(member, "__isabstractmethod__", False)}
    assert not core & set(CAPABILITIES)
    assert not core & set(type(adapter).unsupported)
    assert not getattr(type(adapter), "__abstractmethods__", frozenset())
