"""Thin on purpose: options, fixtures and the report header live in the harness plugin."""

# This repository always uses the harness: load its active plugin directly (installed
# elsewhere, adapter_contracts.harness.plugin keeps it dormant until a run uses it).
pytest_plugins = ["adapter_contracts.harness.pytest_harness"]
