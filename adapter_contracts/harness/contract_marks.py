"""The marks each contract module carries as a whole (its module-level ``pytestmark``), read from source.

Which modules are fault contracts (harness/faults.py) and which are async-native
(harness/flavours.py) decide what a certificate requires, so they are read from the
contracts' own source, nothing imported.  One parse per module per process: each run
judges at its end, and the two readings parsed every module twice (0.14 s of a child
run's 0.65 CPU-s).
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import unicodedata
from pathlib import Path

__all__ = ["marked_contract_files", "marks_in"]

_CONTRACTS = "adapter_contracts.contracts"
_NAME = "pytestmark"


def _mark_names(node: ast.AST) -> set[str]:
    """The ``X`` of every ``<...>.mark.X`` in a ``pytestmark`` value (one mark or a list)."""
    return {n.attr for n in ast.walk(node)
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Attribute) and n.value.attr == "mark"}


def marks_in(source: str, filename: str = "<contract>") -> frozenset[str]:
    """The marks a module's own source gives it as a whole: its top-level ``pytestmark = ...``."""
    if _NAME not in (source if source.isascii() else unicodedata.normalize("NFKC", source)):
        # No ``pytestmark`` anywhere in its text, so no assignment to it: most modules, whose parse
        # cost 50 of a judging run's 65 ms here.  Python reads identifiers in NFKC, so a name
        # spelled in other characters is looked for in that form.
        return frozenset()
    names: set[str] = set()
    for node in ast.parse(source, filename).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == _NAME for t in node.targets):
            names |= _mark_names(node.value)
    return frozenset(names)


@functools.cache
def _module_marks() -> dict[str, frozenset[str]]:
    spec = importlib.util.find_spec(_CONTRACTS)
    marks: dict[str, frozenset[str]] = {}
    for directory in (spec.submodule_search_locations or []) if spec else []:
        for path in Path(directory).glob("test_*.py"):
            marks[path.name] = marks_in(path.read_text(encoding="utf-8"), str(path))
    return marks


def marked_contract_files(marker: str) -> frozenset[str]:
    """The contract modules (file names) whose module-level ``pytestmark`` names ``pytest.mark.<marker>``."""
    return frozenset(name for name, names in _module_marks().items() if marker in names)
