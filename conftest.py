"""Thin on purpose: options, fixtures and the report header live in the harness plugin."""

pytest_plugins = ["harness.plugin"]
