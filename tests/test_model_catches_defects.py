"""The model test must catch real defects: run it against two subtly broken adapters."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from adapters.memory import MemoryAdapter
from adapters.records import BillingTotals
from contracts.model import build_machine


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


# Bounded: derandomized, no example database, no shrinking (each shrink step re-reads
# both adapters' whole state; the first failure is proof enough here).
_BOUNDED = settings(
    max_examples=300,
    stateful_step_count=30,
    derandomize=True,
    database=None,
    deadline=None,
    report_multiple_bugs=False,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize(
    ("broken", "symptom"),
    [(ForgetsIntegrationsOnDelete, "integrations"), (TotalsLoseFourthDecimal, "usage_totals")],
    ids=["delete_user-forgets-integrations", "usage_totals-loses-4th-decimal"],
)
def test_model_catches_defect(broken: type[MemoryAdapter], symptom: str) -> None:
    with pytest.raises(AssertionError, match=symptom):
        run_state_machine_as_test(build_machine(broken), settings=_BOUNDED)


def test_model_passes_the_reference_itself() -> None:
    run_state_machine_as_test(build_machine(MemoryAdapter), settings=settings(_BOUNDED, max_examples=10))
