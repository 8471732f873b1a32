"""The documentation names only what exists (issue 13, item 5): files, modules, factories,
options and tox envs; and it states no count of contracts or tests, which every added
contract would make wrong (a run prints its own counts).
"""

from __future__ import annotations

import configparser
import importlib
import importlib.util
import re
from pathlib import Path

import pytest

from adapter_contracts.harness.config import OPTIONS

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: The record of past benchmark runs, each with its date and machine: its counts are history.
HISTORY = ROOT / "docs" / "performance.md"
#: Files the docs name that are not in this repository, on purpose.
ELSEWHERE = {"mypkg/adapter.py", "PATH.json", "PATH.md", "report.json", "report.md", "shared/notes/engine-traps.md",
             "mysql.sql", "mysql.schema.json", "test_model.py", "test_billing_properties.py"}
PATH = re.compile(r"`([\w./-]+\.(?:py|md|sql|json|sh|yml|toml|ini))`")
MODULE = re.compile(r"python3? -m ([\w.]+)")
FACTORY = re.compile(r"--adapter[ =](adapter_contracts[\w.]*:\w+|tests\.[\w.]+:\w+)")
PYARGS = re.compile(r"--pyargs ([\w.]+)")
TOX_ENV = re.compile(r"tox -e ([\w-]+)")
FLAG = re.compile(r"`(--[a-z][\w-]+)")
#: A number of contracts or tests: "all 584 contracts", "2,853 tests", "530 contracts".
COUNT = re.compile(r"(?<!-n )\b\d[\d,]*\s+(?:contracts?|tests)\b")


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_named_files_exist(doc: Path) -> None:
    missing = sorted({name for name in PATH.findall(_text(doc))
                      if name not in ELSEWHERE and not (ROOT / name).exists() and not (doc.parent / name).exists()})
    assert missing == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_named_modules_and_factories_import(doc: Path) -> None:
    text = _text(doc)
    modules = set(MODULE.findall(text)) | set(PYARGS.findall(text))
    missing = sorted(name for name in modules if name not in ("pip", "venv") and importlib.util.find_spec(name) is None)
    assert missing == []
    for spec in set(FACTORY.findall(text)):
        module, _, name = spec.partition(":")
        assert callable(getattr(importlib.import_module(module), name)), spec


@pytest.mark.parametrize("doc", [doc for doc in DOCS if doc != HISTORY], ids=lambda p: p.name)
def test_no_counts_of_contracts_or_tests(doc: Path) -> None:
    """Counts are what a run prints; written down, they are wrong after the next contract."""
    assert COUNT.findall(_text(doc)) == []


def test_tox_lists_every_env_the_docs_name() -> None:
    tox = configparser.ConfigParser()
    tox.read(ROOT / "tox.ini")
    envs = {env.strip() for env in tox["tox"]["env_list"].split(",")}
    named = {env for doc in DOCS for env in TOX_ENV.findall(_text(doc))}
    assert named, "the README names no tox env: this test would prove nothing"
    assert named - envs == set()


def test_every_harness_option_in_the_readme_exists_and_every_one_is_documented() -> None:
    readme = _text(ROOT / "README.md")
    flags = {option.flag for option in OPTIONS}
    pytest_own = {"--maxfail", "--lf", "--sw", "--tb", "--pyargs", "--require-engine", "--gallery", "--durations",
                  "--deselect", "--hypothesis-seed"}
    named = {flag for flag in FLAG.findall(readme) if not flag.startswith(("--dump", "--markdown", "--list"))}
    assert named - flags - pytest_own - {"--engine", "--json", "--dsn"} == set()
    assert flags - named == set(), "options the README's table leaves out"
