"""Hooks for the contracts only: pytest applies a conftest's hooks to the tests below it.

How a failed contract is shown lives in contracts/failure_output.py; this file
only hands its hooks to pytest.
"""

from contracts.failure_output import (
    pytest_assertrepr_compare,
    pytest_configure,
    pytest_runtest_makereport,
    pytest_unconfigure,
)

__all__ = ["pytest_assertrepr_compare", "pytest_configure", "pytest_runtest_makereport", "pytest_unconfigure"]
