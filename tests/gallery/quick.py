"""Run settings for gallery runs only (``-p tests.gallery.quick``): reproducible and quick to fail.

Loaded by tests/test_gallery.py into each inner run, never into a certification
run of a real adapter.  It changes how fast a run reaches its verdict, never the
verdict: the same contracts are collected and every one must pass to certify.

* Hypothesis examples are derandomized, so the first failing contract of a
  broken entry is the same on every run, and not shrunk: the gallery needs to
  know that a defect is caught and where, not its minimal example (shrinking
  one defect took 50 CPU seconds).
* Example-based contracts run first, then the property contracts (Hypothesis'), and
  the modules made mostly of property tests and the model last, so that ``-x`` stops
  a broken entry at a cheap contract when one catches it: the 32 broken entries, each
  run alone and alternated with the module order alone, took 81 CPU-s against 106.
"""

from __future__ import annotations

import pytest
from hypothesis import Phase, is_hypothesis_test, settings

from adapter_contracts.harness.profiles import PROFILES

PROFILE = "gallery"
SLOW_LAST = ("test_adversarial.py", "test_billing_properties.py", "test_model.py")

settings.register_profile(
    PROFILE, settings(PROFILES["dev"], derandomize=True, database=None, phases=[Phase.explicit, Phase.generate])
)


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    # trylast: after the harness has loaded the profile named in the environment.
    settings.load_profile(PROFILE)


def pytest_report_header() -> str:
    return (f"gallery run: Hypothesis profile {PROFILE!r} (derandomized, no shrinking); property contracts after the "
            f"others, {', '.join(SLOW_LAST)} last")


def _cost_rank(item: pytest.Item) -> tuple[bool, bool]:
    return item.path.name in SLOW_LAST, is_hypothesis_test(getattr(item, "obj", None))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_cost_rank)  # stable: otherwise collection order
