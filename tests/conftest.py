"""The gallery's summary in the terminal report (tests/test_gallery.py).

Results travel in each test's user_properties, so the summary is also complete
under xdist, where only the controller prints.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

GALLERY_PROPERTY = "gallery"


class GallerySummary:
    def __init__(self) -> None:
        self.results: dict[str, dict[str, Any]] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when != "call":
            return
        for key, value in report.user_properties:
            if key == GALLERY_PROPERTY and isinstance(value, str):
                result = json.loads(value)
                self.results[result["spec"]] = result

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.results:
            return
        defects = sorted((r for r in self.results.values() if r["kind"] == "defect"), key=lambda r: r["spec"])
        correct = sorted((r for r in self.results.values() if r["kind"] == "correct"), key=lambda r: r["spec"])
        terminalreporter.section("gallery")
        for r in defects + correct:
            line = f"{r['outcome']:<9} {r['spec']:<56} {r['seconds']:>5.1f}s {r['cpu_seconds']:>5.1f} CPU s"
            if r["kind"] == "defect":
                line += f"  first failure: {r['caught_by'] or '-'}"
            terminalreporter.write_line(line)
        wall = sum(r["seconds"] for r in self.results.values())
        cpu = sum(r["cpu_seconds"] for r in self.results.values())
        terminalreporter.write_line(f"inner runs: {wall:.0f}s summed wall time, {cpu:.0f} CPU s")
        caught = sum(r["outcome"] == "caught" for r in defects)
        certified = sum(r["outcome"] == "certified" for r in correct)
        terminalreporter.write_line(
            f"gallery: {caught}/{len(defects)} defects caught, {certified}/{len(correct)} correct adapters certified"
        )


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(GallerySummary(), "gallery-summary")
