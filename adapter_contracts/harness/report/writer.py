"""Writing the report so that it cannot outlive its run.

* At start the path is checked writable (a usage error otherwise) and whatever
  is there is replaced by a report that says the run is in progress and
  certifies nothing; a run that ends without the harness's final word (SIGKILL,
  ``os._exit``, a hang killed by CI) leaves that, never an older verdict.
* At the end ``PATH.json`` and then ``PATH.md`` (rendered from the JSON
  document) are each written to a temporary file in the same directory and
  renamed over the old one, so a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from adapter_contracts.harness.report.document import in_progress_document, render_markdown, usage_error_document

__all__ = ["ReportPathError", "check_writable", "report_paths", "start_report", "usage_error_report",
           "write_atomically", "write_report"]


class ReportPathError(Exception):
    """The report cannot be written where the user asked: a usage error, one line."""


def report_paths(path: str | os.PathLike[str]) -> tuple[Path, Path]:
    base = Path(path)
    if base.suffix in (".json", ".md"):
        base = base.with_suffix("")
    return base.with_suffix(".json"), base.with_suffix(".md")


def check_writable(path: str) -> tuple[Path, Path]:
    """Both report files can be created or replaced, or :class:`ReportPathError` says why."""
    json_path, md_path = report_paths(path)
    directory = json_path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for target in (json_path, md_path):
            if target.is_dir():
                raise IsADirectoryError(21, "is a directory", str(target))
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".report-check-", delete=True):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        where = exc.filename or directory
        raise ReportPathError(f"--conformance-report={path}: cannot write {json_path.name} and {md_path.name} "
                              f"there ({reason}: {where}); pass a path in a writable directory") from None
    return json_path, md_path


def write_atomically(target: Path, text: str) -> None:
    """``text`` into ``target`` through a temporary file in its directory and a rename."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_report(path: str, document: dict[str, Any], render: Callable[[dict[str, Any]], str]) -> tuple[Path, Path]:
    """The JSON document, then its Markdown rendering, each written atomically."""
    json_path, md_path = report_paths(path)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(json_path, json.dumps(document, indent=2, default=str) + "\n")
    write_atomically(md_path, render(document))
    return json_path, md_path


def start_report(path: str, started_at: str, command_line: str) -> None:
    """Check the path and replace whatever is there with a report that certifies nothing (yet)."""
    check_writable(path)
    write_report(path, in_progress_document(started_at, command_line), render_markdown)


def usage_error_report(path: str, started_at: str, command_line: str, error: str) -> None:
    """The final word of a run that stopped on a usage error before it began."""
    with contextlib.suppress(OSError):
        write_report(path, usage_error_document(started_at, command_line, error), render_markdown)
