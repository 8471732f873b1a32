"""Where the adapter and its libraries come from, as a certificate names them
(adapter_contracts/harness/provenance.py, adapter_contracts/harness/report/outcomes.py)."""

from __future__ import annotations

import sqlite3
from importlib import metadata

from adapter_contracts.harness.provenance import libraries
from adapter_contracts.harness.report.outcomes import adapter_distribution


def test_the_adapter_distribution_is_the_one_that_installs_its_package() -> None:
    assert adapter_distribution("hypothesis.strategies:integers") == f"hypothesis {metadata.version('hypothesis')}"
    # PyMySQL installs the module pymysql: found by its file list, not by its name.
    assert adapter_distribution("pymysql.connections:Connection") == f"PyMySQL {metadata.version('PyMySQL')}"
    assert adapter_distribution("tests.gallery.correct:reference") == "tests (not an installed distribution)"
    assert adapter_distribution(None) is None


def test_the_adapter_libraries_are_its_drivers_with_versions_and_never_the_suite() -> None:
    assert libraries(["psycopg", "pymysql", "os", "sqlite3", "adapter_contracts", "tests"]) == sorted([
        f"psycopg {metadata.version('psycopg')}",
        f"PyMySQL {metadata.version('PyMySQL')}",
        f"sqlite3 (stdlib, SQLite {sqlite3.sqlite_version})",
    ])
