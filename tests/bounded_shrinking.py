"""Shrinking bounded by a count, for the suite's own child runs that print failures
(``-p tests.bounded_shrinking``; tests/child_budget.py does this too).

Hypothesis' own bound is wall time (300 s per failure; 20 s when a run is asked to stop
early: harness/profiles.py), so the same run shrinks longer, and spends more CPU time, on
a quiet machine than on a loaded one.  A bound on successful shrinks costs the same
everywhere and prints the same example.  It changes which example a failure prints,
never whether a contract fails.
"""

from __future__ import annotations

import pytest

from adapter_contracts.harness.profiles import bound_shrink_count

#: Successful shrinks of one failure: the first few drop most of a failing example's length.
SHRINKS = 5


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    bound_shrink_count(SHRINKS)


def pytest_report_header() -> str:
    return f"child run: shrinking stops after {SHRINKS} successful shrinks"
