"""Reading failure blocks out of a pytest run's terminal output, and what each must show.

A failed contract prints one block (contracts/failure_output.py): at most
:data:`~adapter_contracts.contracts.failure_output.BLOCK_LINES` lines, a ``rule:`` line, and
the adapter's answer beside the reference's.  tests/test_failure_output.py holds
representative runs to that; the gallery (tests/test_gallery.py) holds every entry's run.
"""

from __future__ import annotations

import re

from adapter_contracts.contracts.failure_output import BLOCK_LINES

__all__ = ["block_problems", "failure_blocks"]

_BLOCK = re.compile(r"^_+ (.+?) _+$")
_SECTION = re.compile(r"^={3,} (.+?) ={3,}$")
_ANSWER = re.compile(r"^E?\s*(adapter|reference)\b", re.IGNORECASE)


def failure_blocks(output: str) -> dict[str, list[str]]:
    """The lines of each failed test's block in pytest's FAILURES and ERRORS sections, by test name."""
    blocks: dict[str, list[str]] = {}
    name: str | None = None
    inside = False
    for line in output.splitlines():
        if section := _SECTION.match(line):
            inside, name = section.group(1) in ("FAILURES", "ERRORS"), None
        elif inside and (header := _BLOCK.match(line)):
            name = header.group(1)
            blocks[name] = [line]
        elif inside and name is not None:
            blocks[name].append(line)
    return blocks


def block_problems(name: str, block: list[str]) -> list[str]:
    problems = []
    if len(block) > BLOCK_LINES:
        problems.append(f"{name}: {len(block)} lines, more than {BLOCK_LINES}")
    said = {m.group(1).lower() for line in block if (m := _ANSWER.match(line.removeprefix("E ").strip()))}
    problems += [f"{name}: no line gives the {side}'s answer" for side in ("adapter", "reference") if side not in said]
    if not any(line.startswith("rule: ") for line in block):
        problems.append(f"{name}: no rule line")
    return problems
