"""The model test: random operation sequences over all ten entities, run on the engine's
adapter and on the in-memory reference side by side, must give the same answers.

See :mod:`adapter_contracts.contracts.model.machine` for the rules and invariants, and
``adapter_contracts.harness.profiles.MODEL_SETTINGS`` for how many runs and steps each profile
makes.  A failure prints the shrunk sequence of ``state.<operation>(...)`` calls.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis.stateful import run_state_machine_as_test

from adapter_contracts.adapters.base import Adapter
from adapter_contracts.contracts.model import build_machine
from adapter_contracts.harness.profiles import model_settings

pytestmark = pytest.mark.heavy


def test_adapter_agrees_with_reference_model(fresh: Callable[[], Adapter],
                                             tally: Callable[[str, int], None]) -> None:
    machine = build_machine(fresh)
    try:
        run_state_machine_as_test(machine, settings=model_settings())
    finally:
        tally("model_examples", machine.counts.examples)
        tally("model_steps", machine.counts.steps)
