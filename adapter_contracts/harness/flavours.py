"""Which contracts run only on async engines: the modules marked ``pytest.mark.async_native`` as a whole.

An engine's :attr:`~adapter_contracts.harness.engines.base.Engine.flavour` decides, at collection: the
plugin parametrizes these contracts only over engines whose flavour is ``"async"``, and only there
does a certificate require them.  Read from the contracts' source (nothing is imported), as the
fault contracts are.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
from pathlib import Path

__all__ = ["ASYNC_MARKER", "async_contract_files"]

#: The marker of the async-native contracts.
ASYNC_MARKER = "async_native"
_CONTRACTS = "adapter_contracts.contracts"


def _marks(node: ast.AST, marker: str) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == marker
               and isinstance(n.value, ast.Attribute) and n.value.attr == "mark" for n in ast.walk(node))


@functools.cache
def async_contract_files() -> frozenset[str]:
    """The contract modules whose ``pytestmark`` names ``pytest.mark.async_native``."""
    spec = importlib.util.find_spec(_CONTRACTS)
    found = set()
    for directory in (spec.submodule_search_locations or []) if spec else []:
        for path in Path(directory).glob("test_*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            if any(isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark"
                                                        for t in node.targets) and _marks(node.value, ASYNC_MARKER)
                   for node in tree.body):
                found.add(path.name)
    return frozenset(found)
