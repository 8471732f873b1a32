"""No import cycle in adapter_contracts, eager or lazy (issue 18, item 4).

The graph is built from the source with ``ast``, not by importing it, so an
import inside a function counts as much as one at the top of a module.  An
edge A -> B means that running A can make Python import B:

* every ``import`` and ``from ... import``, at any depth (module level, in a
  function, in a class); relative imports resolved;
* the packages above B that the import runs on the way (importing
  ``adapter_contracts.harness.engines.base`` runs ``adapter_contracts/harness/engines/__init__.py``),
  except A's own packages, which Python has necessarily run before A;
  an explicit import of one of A's own packages still counts;
* imports by name: a string literal that names one of the package's modules
  and is handed to ``importlib.import_module``, ``import_plugin``,
  ``__import__`` or ``importlib.resources.files`` (directly or through a
  module-level constant), a ``"module:attribute"`` string (a registry line,
  a watchdog hook), and module names listed in a module-level table (a
  tuple, list, set or dict constant) — those tables are what a module loads
  from.  A module name merely mentioned (in a message, as a subprocess's
  ``-m`` argument) is not an import.

Imports under ``if TYPE_CHECKING:`` are left out: they never run, so they
cannot make a module see another half-initialised, and type checkers resolve
annotations without executing anything.  Counting them would forbid the one
way typing a mutual reference costs nothing at run time.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "adapter_contracts"
#: Calls that import the module their first argument names.
LOADERS = frozenset({"import_module", "import_plugin", "__import__", "files"})


def modules(package: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module and package under ``package``."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _strings(node: ast.AST) -> Iterator[str]:
    for child in ast.walk(node):
        if isinstance(child, ast.Constant) and isinstance(child.value, str):
            yield child.value


class _Imports(ast.NodeVisitor):
    """The modules one file imports, eagerly or lazily, by statement or by name."""

    def __init__(self, module: str, is_package: bool, names: set[str]) -> None:
        self.names = names
        self.package = module.split(".") if is_package else module.split(".")[:-1]
        self.found: set[str] = set()
        self.constants: dict[str, list[str]] = {}

    def _by_name(self, value: str) -> None:
        module = value.partition(":")[0]
        if module in self.names:
            self.found.add(module)

    def visit_Module(self, node: ast.Module) -> None:
        for statement in node.body:
            if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
                targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                values = list(_strings(statement.value))
                for target in targets:
                    if isinstance(target, ast.Name):
                        self.constants[target.id] = values
                if isinstance(statement.value, (ast.Tuple, ast.List, ast.Set, ast.Dict)):
                    for value in values:  # a table of modules to load
                        self._by_name(value)
        self.generic_visit(node)

    def visit_If(self, node: ast.If) -> None:
        if _type_checking(node.test):
            for statement in node.orelse:
                self.visit(statement)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.found.update(alias.name for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.package[: len(self.package) - (node.level - 1)]
            target = ".".join([*base, *([node.module] if node.module else [])])
        else:
            target = node.module or ""
        for alias in node.names:
            submodule = f"{target}.{alias.name}"
            self.found.add(submodule if submodule in self.names else target)

    def visit_Call(self, node: ast.Call) -> None:
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        if name in LOADERS and node.args:
            argument = node.args[0]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                self._by_name(argument.value)
            elif isinstance(argument, ast.Name):
                for value in self.constants.get(argument.id, []):
                    self._by_name(value)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and ":" in node.value:
            self._by_name(node.value)


def import_graph(package: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it may import (see the module docstring for what counts)."""
    files = modules(package)
    names = set(files)
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        visitor = _Imports(module, path.name == "__init__.py", names)
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        parts = module.split(".")
        own = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
        edges = set()
        for target in visitor.found:
            if target in names and target != module:
                edges.add(target)
            pieces = target.split(".")
            edges.update(parent for parent in (".".join(pieces[:i]) for i in range(1, len(pieces)))
                         if parent in names and parent not in own)
        graph[module] = edges
    return graph


def _components(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One shortest cycle through the first module of each strongly connected component."""
    found = []
    for component in _components(graph):
        start, members = component[0], set(component)
        previous: dict[str, str | None] = {start: None}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            if start in graph[node]:
                path = [node]
                while previous[path[-1]] is not None:
                    path.append(previous[path[-1]])  # type: ignore[arg-type]
                found.append([*reversed(path), start])
                break
            for child in sorted(graph[node] & members):
                if child not in previous:
                    previous[child] = node
                    queue.append(child)
    return found


def test_adapter_contracts_has_no_import_cycle() -> None:
    graph = import_graph(PACKAGE)
    assert len(graph) > 50, "the graph misses most of the package: this test would prove nothing"
    found = cycles(graph)
    assert found == [], "import cycles (each edge: the module on its left may import the one on its right):\n" + \
        "\n".join(" -> ".join(cycle) for cycle in found)


def _write(root: Path, files: dict[str, str]) -> Path:
    package = root / "pkg"
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return package


@pytest.mark.parametrize(("files", "cycle"), [
    # A function-level import closing the loop.
    ({"__init__.py": "", "a.py": "import pkg.b\n", "b.py": "def f():\n    from pkg import a\n"},
     ["pkg.a", "pkg.b", "pkg.a"]),
    # A relative import, and a load by name through a module-level constant.
    ({"__init__.py": "", "a.py": "from . import b\n",
      "b.py": "import importlib\nA = 'pkg.a'\ndef f():\n    return importlib.import_module(A)\n"},
     ["pkg.a", "pkg.b", "pkg.a"]),
    # A registry line and the package that a submodule's import runs on the way.
    ({"__init__.py": "", "reg/__init__.py": "LINES = {'x': 'pkg.x:X'}\n", "reg/base.py": "",
      "x.py": "from pkg.reg.base import *\n"},
     ["pkg.reg", "pkg.x", "pkg.reg"]),
])
def test_the_graph_sees_every_kind_of_import(tmp_path: Path, files: dict[str, str], cycle: list[str]) -> None:
    assert cycles(import_graph(_write(tmp_path, files))) == [cycle]


def test_type_checking_imports_mentions_and_own_packages_are_not_edges(tmp_path: Path) -> None:
    package = _write(tmp_path, {
        "__init__.py": "from pkg import a\n",
        "a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import b\n",
        "b.py": "import subprocess, sys\nimport pkg.a\n"
                "subprocess.run([sys.executable, '-m', 'pkg.c'])\nNOTE = 'see pkg.a for why'\n",
        "c.py": "from pkg.a import *\n",
    })
    graph = import_graph(package)
    assert graph["pkg.a"] == set()
    assert graph["pkg.b"] == {"pkg.a"}
    assert graph["pkg"] == {"pkg.a"}
    assert cycles(graph) == []
