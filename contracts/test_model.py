"""The model test: random operation sequences over all ten entities, run on the engine's
adapter and on the in-memory reference side by side, must give the same answers.

See :mod:`contracts.model.machine` for the rules and invariants.  A failure
prints the shrunk sequence of ``state.<operation>(...)`` calls.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis.stateful import run_state_machine_as_test

from adapters.base import Adapter
from contracts.model import build_machine, model_settings


def test_adapter_agrees_with_reference_model(fresh: Callable[[], Adapter]) -> None:
    run_state_machine_as_test(build_machine(fresh), settings=model_settings())
