"""Run settings for the suite's own child runs that check a verdict, the output or the cleanup,
never a certificate (``-p tests.child_budget``).

Such a run needs contracts to run, pass or fail, not to explore: a few derandomized
examples per property contract and a few runs of the model test, and a failure shrunk
a bounded number of times (a count, not Hypothesis' wall-time bound, so the run costs
the same CPU time and prints the same example on a quiet machine as on a loaded one).
A profile loaded after the harness's is below every certificate's floor
(harness/budget.py), so a run with this plugin certifies nothing: tests that check a
certificate run at the ``ci`` budget without it.
"""

from __future__ import annotations

import pytest
from hypothesis import settings

from adapter_contracts.harness.profiles import MODEL_SETTINGS, bound_shrink_count
from tests.bounded_shrinking import SHRINKS

PROFILE = "child"
#: Examples per property contract, and runs of the model test (of its usual 15 steps).
EXAMPLES = 3


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    # trylast: after the harness has loaded its profile, whose other settings stay.
    settings.register_profile(PROFILE, settings(settings(), max_examples=EXAMPLES, derandomize=True, database=None))
    settings.load_profile(PROFILE)
    # model_settings() reads its counts from here at each call, by the harness's profile name.
    for name, model in list(MODEL_SETTINGS.items()):
        MODEL_SETTINGS[name] = settings(model, max_examples=EXAMPLES)
    bound_shrink_count(SHRINKS)


def pytest_report_header() -> str:
    return f"child run: Hypothesis profile {PROFILE!r} ({EXAMPLES} examples, at most {SHRINKS} shrinks)"
