"""The adversarial contract's operation table covers the whole interface."""

from __future__ import annotations

import inspect

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.contracts.test_adversarial import BATCH, CALLS


def test_every_operation_and_argument_is_covered() -> None:
    """contracts/test_adversarial.py names every operation of the interface with every argument it takes."""
    covered = {call.name: set(call.arguments) for call in [*CALLS, BATCH]}
    for name, method in vars(Adapter).items():
        if name.startswith("_") or not callable(method) or name in ("create_schema", "close", "expected_schema"):
            continue
        taken = set(inspect.signature(method).parameters) - {"self"}
        assert covered.get(name) == taken, f"{name}: the contract draws {covered.get(name)}, it takes {taken}"
