"""The contract manifest: every contract the suite ships, per engine kind, and the files they run from.

A certificate counts against this list, not against what a run happened to
collect: an engine is certified only when every manifest contract of its kind
was collected from the installed suite's own files, ran and passed.  The
manifest is generated from the contracts and shipped as package data
(``manifest.json`` beside this module)::

    python -m adapter_contracts.harness.manifest --write   # after changing contracts, strategies or the reference
    python -m adapter_contracts.harness.manifest --check   # exit 1, with the differences, when it is out of date

It holds

* ``engines``: per engine *kind* (every backend id of the registry,
  ``harness/engines/__init__.py``: ``memory``, ``postgres``...) the contract ids with the
  engine parameter written ``*`` (``test_users.py::test_x[*-create_user]``), so
  that an image target (``postgres-17``) and an ``--adapter`` factory map onto
  their kind.  Which contracts a kind gets follows from its backend (fault
  contracts only where faults can be injected, the layout check only where
  there is a canonical layout), as collection decides it;
* ``files``: the SHA-256 of every file the contracts execute from the suite
  (:data:`SUITE_FILES`): the contracts and their helpers, the strategies, and
  the reference adapter with the shared validation, records, errors, cursors and
  the interface itself, since a contract passes when the adapter agrees with
  the reference and the reference runs on those.  The harness (provisioning,
  this verification, the report) is not listed: it is the judge, and a
  tampered judge could skip any check of itself;
* ``examples``: per property contract, the Hypothesis examples the reference
  runs at the ``ci`` budget, which is derandomized: the floor a certifying run
  must reach (:mod:`adapter_contracts.harness.budget`);
* ``interface``: a fingerprint of the public interface (``adapter_contracts.__all__``);
* ``suite_version``: the version these belong to.  The manifest's hash covers
  everything but the version, and a test (tests/test_manifest.py) fails when it
  changes while the version and the CHANGELOG's entry stay.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "ENGINE",
    "MANIFEST_FILE",
    "PACKAGE_ROOT",
    "REGENERATE",
    "SUITE_FILES",
    "Manifest",
    "SuiteCheck",
    "abstract_id",
    "area_of",
    "check_suite",
    "interface_fingerprint",
    "is_genuine",
    "load_manifest",
    "suite_digests",
]

#: The package root: adapter_contracts/.
PACKAGE_ROOT = Path(__file__).resolve().parents[2]
CONTRACTS_DIR = PACKAGE_ROOT / "contracts"
MANIFEST_FILE = Path(__file__).with_name("manifest.json")
#: The command that regenerates the manifest, as every message about it says.
REGENERATE = "python -m adapter_contracts.harness.manifest --write"
#: The engine parameter in a manifest id.
ENGINE = "*"
#: What the contracts execute from the suite, relative to the package root (glob patterns).
SUITE_FILES = (
    "__init__.py",
    "contracts/**/*.py",
    "strategies/**/*.py",
    "adapters/__init__.py",
    "adapters/base.py",
    "adapters/cursor.py",
    "adapters/errors.py",
    "adapters/inputs.py",
    "adapters/limits.py",
    "adapters/memory.py",
    "adapters/records.py",
    "adapters/validation.py",
)
_FORMAT = 1


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def suite_digests(root: Path = PACKAGE_ROOT) -> dict[str, str]:
    """``relative path -> sha256`` of every suite file under ``root``."""
    paths = {path for pattern in SUITE_FILES for path in root.glob(pattern)
             if path.is_file() and "__pycache__" not in path.parts}
    return {path.relative_to(root).as_posix(): file_digest(path) for path in sorted(paths)}


def _module_of(relative: str) -> str:
    parts = relative.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(["adapter_contracts", *parts])


def _digest(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@dataclass(frozen=True)
class Manifest:
    suite_version: str
    files: Mapping[str, str]
    engines: Mapping[str, tuple[str, ...]]
    #: property contract id -> examples the reference runs at the ci budget (derandomized)
    examples: Mapping[str, int]
    interface: str
    #: The Hypothesis version the example floors were measured with (not part of the hash).
    hypothesis: str = ""

    def content(self) -> dict[str, Any]:
        return {"files": dict(self.files), "engines": {k: list(v) for k, v in self.engines.items()},
                "examples": dict(self.examples), "interface": self.interface}

    @property
    def digest(self) -> str:
        return _digest(self.content())

    @property
    def short(self) -> str:
        return self.digest[:12]

    def contracts(self, kind: str) -> frozenset[str]:
        return frozenset(self.engines.get(kind, ()))

    def to_json(self) -> str:
        document = {"format": _FORMAT, "generated_by": REGENERATE, "suite_version": self.suite_version,
                    "hash": self.digest, "hypothesis": self.hypothesis, **self.content()}
        return json.dumps(document, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        data = json.loads(text)
        if data.get("format") != _FORMAT:
            raise ValueError(f"manifest format {data.get('format')!r}, expected {_FORMAT}")
        manifest = cls(str(data["suite_version"]), dict(data["files"]),
                       {kind: tuple(ids) for kind, ids in data["engines"].items()},
                       {key: int(value) for key, value in data["examples"].items()},
                       str(data["interface"]), str(data.get("hypothesis", "")))
        if data.get("hash") != manifest.digest:
            raise ValueError(f"its recorded hash {str(data.get('hash'))[:12]} is not the hash of its content "
                             f"({manifest.short}): edited by hand?")
        return manifest


@cache
def load_manifest(path: Path = MANIFEST_FILE) -> Manifest:
    """The shipped manifest; a missing or damaged one raises ValueError with the fix."""
    try:
        return Manifest.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"contract manifest {path}: {exc}; regenerate it with `{REGENERATE}`") from None


def abstract_id(nodeid: str, engine_id: str) -> str | None:
    """``adapter_contracts/contracts/test_x.py::test_y[postgres-17-a]`` -> ``test_x.py::test_y[*-a]``,
    or None when ``engine_id`` is not the test's first parameter."""
    path, sep, name = nodeid.partition("::")
    if not sep or not name.endswith("]") or "[" not in name:
        return None
    function, _, params = name[:-1].partition("[")
    if params != engine_id and not params.startswith(engine_id + "-"):
        return None
    module = path.replace("\\", "/").rsplit("/", 1)[-1]
    return f"{module}::{function}[{ENGINE}{params[len(engine_id):]}]"


def area_of(contract_id: str) -> str:
    """The contract area of a manifest id or node id: its module without ``test_``."""
    module = contract_id.split("::", 1)[0].replace("\\", "/").rsplit("/", 1)[-1]
    return module.removesuffix(".py").removeprefix("test_")


def is_genuine(path: Path, module: object = None) -> bool:
    """Whether a test lies in the installed suite's own contracts package (and its module was imported from there)."""
    return _genuine(str(path), getattr(module, "__file__", None))


@cache
def _genuine(path: str, module_file: str | None) -> bool:
    # Cached: a module's hundreds of tests share one path, and resolving it is a system call per part.
    resolved = Path(path).resolve()
    if CONTRACTS_DIR not in resolved.parents:
        return False
    return module_file is None or Path(module_file).resolve() == resolved


@dataclass
class SuiteCheck:
    """What one process found of the suite's files, as plain data (it crosses the xdist channel)."""

    #: suite files whose content is not the manifest's, or that are missing
    changed: list[str] = field(default_factory=list)
    #: suite modules imported from a file that is not the manifest's (another copy, an added file)
    foreign: list[str] = field(default_factory=list)

    def problem(self, manifest: Manifest) -> str | None:
        if not (self.changed or self.foreign):
            return None
        parts = []
        if self.changed:
            parts.append(f"{len(self.changed)} differ from manifest {manifest.short} "
                         f"({', '.join(sorted(self.changed)[:4])}{', ...' if len(self.changed) > 4 else ''})")
        if self.foreign:
            parts.append(f"{len(self.foreign)} not the installed suite's "
                         f"({', '.join(sorted(self.foreign)[:4])}{', ...' if len(self.foreign) > 4 else ''})")
        return "suite files: " + "; ".join(parts)

    def merge(self, other: SuiteCheck) -> None:
        self.changed = sorted(set(self.changed) | set(other.changed))
        self.foreign = sorted(set(self.foreign) | set(other.foreign))


def check_suite(manifest: Manifest, modules: Mapping[str, object] | None = None) -> SuiteCheck:
    """Hash the suite's files and check that the suite modules imported are those files.

    Run where the contracts were imported (serially, or on each xdist worker) once they have run,
    so that modules imported late are checked too."""
    modules = sys.modules if modules is None else modules
    found = suite_digests()
    check = SuiteCheck()
    check.changed = sorted(relative for relative in set(manifest.files) | set(found)
                           if manifest.files.get(relative) != found.get(relative))
    expected = {_module_of(relative): PACKAGE_ROOT / relative for relative in manifest.files}
    for name, module in list(modules.items()):
        if not name.startswith(("adapter_contracts.contracts", "adapter_contracts.strategies")) \
                and name not in expected:
            continue
        module_file = getattr(module, "__file__", None)
        if module_file is None:
            continue  # a namespace package has no file to compare
        if name not in expected or Path(module_file).resolve() != expected[name].resolve():
            check.foreign.append(f"{name} from {module_file}")
    return check


# -- the public interface's fingerprint ------------------------------------------------------

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _signature(obj: Any) -> str:
    try:
        return _ADDRESS.sub("", str(inspect.signature(obj)))
    except (TypeError, ValueError):
        return "(...)"


def _describe(name: str, obj: Any) -> list[str]:
    if inspect.ismodule(obj):
        return [f"{name}.{key} = {value!r}" for key, value in sorted(vars(obj).items())
                if key.isupper() and isinstance(value, int | float | str | bytes | tuple | frozenset)]
    if inspect.isclass(obj):
        bases = ", ".join(base.__qualname__ for base in obj.__bases__)
        lines = [f"class {name}({bases})"]
        fields = getattr(obj, "__dataclass_fields__", None)
        if fields:
            lines += [f"  {key}: {value.type}" for key, value in fields.items()]
        abstract: frozenset[str] = getattr(obj, "__abstractmethods__", frozenset())
        for key, value in sorted(vars(obj).items()):
            if key.startswith("_") and key != "__init__":
                continue
            if callable(value) or isinstance(value, staticmethod | classmethod | property):
                kind = "abstract " if key in abstract else ""
                target = value.fget if isinstance(value, property) else value
                lines.append(f"  {kind}def {key}{_signature(target)}")
            elif not key.startswith("_"):
                lines.append(f"  {key} = {_ADDRESS.sub('', repr(value))}")
        return lines
    if callable(obj):
        return [f"def {name}{_signature(obj)}"]
    return [f"{name}: {type(obj).__qualname__} = {_ADDRESS.sub('', repr(obj))}"]


def interface_text() -> str:
    """The public interface as text: every name in ``adapter_contracts.__all__`` with its signature,
    a class's fields and methods (abstract ones marked), the limits' values."""
    import adapter_contracts as root

    return "\n".join(line for name in sorted(root.__all__) for line in _describe(name, getattr(root, name))) + "\n"


def interface_fingerprint() -> str:
    return hashlib.sha256(interface_text().encode()).hexdigest()
