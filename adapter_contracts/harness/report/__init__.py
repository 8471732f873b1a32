"""The conformance report: the run's verdict per engine, in the terminal and as a certificate.

``outcomes`` holds what is known of one contract and of the suite; ``recorder`` the pytest
plugin object that records outcomes and prints and writes the report.
"""

from adapter_contracts.harness.report.outcomes import (
    DECLINED_PROPERTY,
    ENGINE_DOWN_PROPERTY,
    ENGINE_PROPERTY,
    TALLY_PREFIX,
    TestOutcome,
    Verdict,
    engine_of_nodeid,
    is_contract,
    suite_version,
)
from adapter_contracts.harness.report.recorder import ConformanceRecorder

__all__ = [
    "DECLINED_PROPERTY",
    "ENGINE_DOWN_PROPERTY",
    "ENGINE_PROPERTY",
    "TALLY_PREFIX",
    "ConformanceRecorder",
    "TestOutcome",
    "Verdict",
    "engine_of_nodeid",
    "is_contract",
    "suite_version",
]
