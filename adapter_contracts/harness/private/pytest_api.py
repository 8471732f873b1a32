"""pytest's private API, where no public one exists (pytest 8-9).

* ``Failed``: what ``pytest.fail`` raises.  ``pytest.fail.Exception`` is the same class, but
  untyped (mypy: not valid as a base class), and the harness subclasses it.
* ``ExceptionChainRepr``, ``ReprTraceback``, ``ReprEntryNative``, ``ReprFileLocation``: the
  longrepr of a report is one of these to cross from an xdist worker to the controller whole
  (crash line included); pytest exports none of them.
* ``TerminalWriter``: what a longrepr renders to (``toterminal``); not exported either.
* :func:`short_failure_lines`: ``Item._repr_failure_py(excinfo, style="short")``, pytest's own
  ``--tb=short`` rendering that also prunes pytest's and Hypothesis' frames; the public
  ``ExceptionInfo.getrepr(style="short")`` keeps them, and is the fallback.
* :func:`cut_to_crash`: ``TracebackEntry.ishidden(excinfo)``, by which pytest picks the crash entry
  (``ExceptionInfo._getreprcrash``); the traceback's entries are not exported.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from _pytest._code.code import ExceptionChainRepr, ReprEntryNative, ReprFileLocation, ReprTraceback
from _pytest._io import TerminalWriter
from _pytest.outcomes import Failed

__all__ = ["ExceptionChainRepr", "Failed", "ReprEntryNative", "ReprFileLocation", "ReprTraceback", "TerminalWriter",
           "cut_to_crash", "short_failure_lines", "text_block"]


def text_block(lines: list[str], reprcrash: ReprFileLocation | None) -> ExceptionChainRepr:
    """``lines`` as pytest's own kind of failure report (a native text entry), with ``reprcrash`` kept."""
    entry = ReprEntryNative([line + "\n" for line in lines])
    return ExceptionChainRepr([(ReprTraceback([entry], None, "native"), reprcrash, None)])


def short_failure_lines(item: pytest.Item, excinfo: pytest.ExceptionInfo[BaseException]) -> list[str]:
    """The failure as ``--tb=short`` prints it, without markup, pytest's and Hypothesis' frames pruned."""
    render: Any = getattr(item, "_repr_failure_py", None)
    rendered = render(excinfo, style="short") if render else excinfo.getrepr(style="short")
    buffer = io.StringIO()
    writer = TerminalWriter(buffer)
    writer.hasmarkup = False
    rendered.toterminal(writer)
    return buffer.getvalue().splitlines()


def cut_to_crash(excinfo: pytest.ExceptionInfo[BaseException]) -> int:
    """Cut ``excinfo``'s traceback, in place, to the entry pytest names as the crash (the last one no
    ``__tracebackhide__`` hides, as ``ExceptionInfo._getreprcrash`` picks it) and those after it; returns
    how many entries were cut.  Left whole when every entry is hidden."""
    traceback = excinfo.traceback
    for index in range(len(traceback) - 1, -1, -1):
        if not traceback[index].ishidden(excinfo):
            excinfo.traceback = traceback[index:]
            return index
    return 0
