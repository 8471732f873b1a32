"""The model test must catch real defects: run it, with the ``ci`` profile's step
count, against subtly broken adapters."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from adapter_contracts.adapters.memory import MemoryAdapter
from adapter_contracts.adapters.records import BillingTotals
from adapter_contracts.contracts.model import build_machine
from adapter_contracts.harness.profiles import MODEL_SETTINGS


class ForgetsIntegrationsOnDelete(MemoryAdapter):
    """delete_user cascades to everything but the user's integrations."""

    def delete_user(self, user_id: str) -> bool:
        kept = {k: v for k, v in self.store.integrations.items() if k[0] == user_id}
        deleted = super().delete_user(user_id)
        self.store.integrations.update(kept)
        return deleted


class TotalsLoseFourthDecimal(MemoryAdapter):
    """usage_totals truncates sums to three places, as a DECIMAL(18, 3) aggregate would."""

    def usage_totals(
        self, client_id: str, *, start: datetime | None = None, end: datetime | None = None
    ) -> BillingTotals:
        exact = super().usage_totals(client_id, start=start, end=end)
        cut = Decimal("0.001")
        return BillingTotals(
            exact.count, exact.tokens_used.quantize(cut, ROUND_DOWN), exact.cost.quantize(cut, ROUND_DOWN)
        )


class DeleteIntegrationIgnoresUser(MemoryAdapter):
    """delete_integration removes that category/provider for every user (a WHERE without user_id)."""

    def delete_integration(self, user_id: str, category: str, provider: str) -> bool:
        deleted = super().delete_integration(user_id, category, provider)
        for key in [k for k in self.store.integrations if k[1:] == (category, provider)]:
            del self.store.integrations[key]
        return deleted


# The ci profile's runs, derandomized, without the example database or shrinking:
# the first failure is proof enough, and shrinking would only add time.
_BOUNDED = settings(MODEL_SETTINGS["ci"], database=None, report_multiple_bugs=False, phases=[Phase.generate])


@pytest.mark.parametrize(
    ("broken", "symptom"),
    [
        (ForgetsIntegrationsOnDelete, "after this step .* at list_integrations"),
        (TotalsLoseFourthDecimal, "usage_totals"),
    ],
    ids=["delete_user-forgets-integrations", "usage_totals-loses-4th-decimal"],
)
def test_model_catches_defect(broken: type[MemoryAdapter], symptom: str) -> None:
    machine = build_machine(broken)
    with pytest.raises(AssertionError, match=symptom):
        run_state_machine_as_test(machine, settings=_BOUNDED)


def test_model_passes_the_reference_itself() -> None:
    run_state_machine_as_test(build_machine(MemoryAdapter), settings=settings(_BOUNDED, max_examples=10))


def test_end_of_run_comparison_catches_a_write_outside_the_steps_reads() -> None:
    # The step re-reads only its own user's rows, so only the whole-state read at
    # teardown sees u1's integration vanish.  A fixed sequence, because random
    # search needs about a hundred runs to hit this one.
    machine = build_machine(DeleteIntegrationIgnoresUser)()
    machine.seed_users(user_ids=["u1", "u2"], with_children=True)
    machine.seed_clients(client_ids=["k1"], with_children=False)
    machine.same_state_and_integrity()
    machine.delete_integration(user_id="u2", category="crm", provider="hubspot")
    machine.same_state_and_integrity()
    with pytest.raises(AssertionError, match=r"at the end of the run .* at list_integrations\('u1'\)"):
        machine.teardown()
