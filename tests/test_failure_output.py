"""What an adapter author reads when a contract fails: one short block per failed contract.

Runs gallery entries as an author would, with pytest's and the harness' default
options (no ``-x``, no gallery plugin, the default Hypothesis profile; only
shrinking is bounded, by a count: tests/bounded_shrinking.py), and
requires of every failed contract's block in the terminal at most
:data:`adapter_contracts.contracts.failure_output.BLOCK_LINES` lines, the adapter's answer and
the reference's.  One entry per contract area an author is likely to break;
each run is limited to the modules of its area so the test takes seconds, not
the whole suite's minutes (``python -m tests.test_failure_output`` measures
every entry over the whole suite).  The model test's entry also gives ``-x``:
a cold run may shrink several distinct failures, and ``-x`` stops at the first
(with its own wall-time bound, adapter_contracts.harness.profiles.bound_shrinking,
which the count reaches first).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from adapter_contracts.contracts.explain import json_differences, side_by_side
from adapter_contracts.harness.profiles import STOP_EARLY_SHRINK_SECONDS, bound_shrinking, shrink_seconds
from tests.failure_blocks import block_problems, failure_blocks
from tests.gallery import DEFECTS
from tests.inner import CONTRACTS, child_env

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_SECONDS = 600.0

#: (gallery factory, contract modules that catch it, extra options): keys, payloads, cascades,
#: listings, numbers and time, and the model test.
REPRESENTATIVE = [
    ("keys:email_not_normalised_on_lookup", ["test_users.py", "test_domain.py"], []),
    ("payloads:drops_dollar_keys", ["test_payloads.py"], []),
    ("cascades:delete_user_leaves_integrations", ["test_cascades.py"], []),
    ("listings:paging_skips_ties", ["test_campaigns.py"], []),
    ("numbers_and_time:totals_rounded_to_cents", ["test_billing.py"], []),
    ("keys:case_insensitive_ids", ["test_model.py"], ["-x"]),
]


def run_as_author(spec: str, paths: list[str], options: list[str]) -> str:
    """``python -m pytest --adapter spec contracts/...`` with default options; its terminal output.

    Shrinking stops after a count of shrinks (tests/bounded_shrinking.py), not after Hypothesis'
    wall time, so the run costs the same on a quiet machine; the block it prints is bounded the same.
    2 to 6 CPU-s per entry.
    """
    env = child_env()
    env.pop("HYPOTHESIS_PROFILE", None)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "tests.bounded_shrinking", *options,
               "--adapter", spec, *paths]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
                          check=False)
    assert done.returncode == 1, f"{spec}: expected contract failures (exit 1), got {done.returncode}:\n" \
        + "\n".join((done.stdout + done.stderr).splitlines()[-20:])
    return done.stdout


@pytest.mark.parametrize(("factory", "modules", "options"), REPRESENTATIVE, ids=[f for f, _, _ in REPRESENTATIVE])
def test_each_failed_contract_is_one_short_block_with_both_answers(factory: str, modules: list[str],
                                                                    options: list[str]) -> None:
    output = run_as_author(f"tests.gallery.{factory}", [f"{CONTRACTS}/{m}" for m in modules], options)
    blocks = failure_blocks(output)
    assert blocks, f"no failure blocks in the output:\n{output[-2000:]}"
    problems = [p for name, block in blocks.items() for p in block_problems(name, block)]
    worst = max(blocks.values(), key=len)
    assert not problems, "\n".join(problems) + "\n--- the longest block ---\n" + "\n".join(worst)


def test_payload_differences_name_the_json_path_with_both_values() -> None:
    adapter = {"floats": {"tenth": 0.1, "whole": 2}, "l": [True, "a"], "gone": None}
    reference = {"floats": {"tenth": 0.30000000000000004, "whole": 2.0}, "l": [1, "a", "b"], "gone": None, "$x": 1}
    assert json_differences(adapter, reference) == [
        "$.floats.tenth: adapter 0.1, reference 0.30000000000000004",
        "$.floats.whole: adapter 2 (int), reference 2.0 (float)",
        "$.l[0]: adapter True (bool), reference 1 (int)",
        "$.l: adapter has 2 items, reference 3",
        "$['$x']: missing in the adapter's answer, reference 1",
    ]
    assert side_by_side(None, reference)[:2] == ["adapter:   None", f"reference: {reference!r}"]


def test_stopping_early_bounds_shrinking() -> None:
    # Start from a known, longer bound: a run of this suite started with -x has already
    # bounded its own shrinking to STOP_EARLY_SHRINK_SECONDS.
    outer = bound_shrinking(STOP_EARLY_SHRINK_SECONDS * 15)
    try:
        restore = bound_shrinking(STOP_EARLY_SHRINK_SECONDS)
        try:
            assert shrink_seconds() == STOP_EARLY_SHRINK_SECONDS
        finally:
            restore()
        assert shrink_seconds() == STOP_EARLY_SHRINK_SECONDS * 15
    finally:
        outer()


def measure() -> None:
    """Every gallery defect over the whole suite, as an author runs it: lines per failed contract."""
    sizes: list[int] = []
    for entry in DEFECTS:
        env = child_env()
        env.pop("HYPOTHESIS_PROFILE", None)
        done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--adapter", entry.spec,
                               CONTRACTS], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        blocks = failure_blocks(done.stdout)
        lengths = sorted(len(b) for b in blocks.values())
        bad = [p for name, block in blocks.items() for p in block_problems(name, block)]
        sizes += lengths
        print(f"{entry.name}: exit {done.returncode}, {len(done.stdout.splitlines())} lines, "
              f"blocks {lengths}{'; ' + '; '.join(bad) if bad else ''}", flush=True)
    if sizes:
        print(f"blocks: {len(sizes)}, min {min(sizes)}, median {statistics.median(sizes)}, max {max(sizes)}")


if __name__ == "__main__":
    measure()
