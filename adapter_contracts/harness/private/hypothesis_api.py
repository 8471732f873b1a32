"""Hypothesis' private API, where no public one exists (Hypothesis 6).

Hypothesis has no setting that bounds how long it shrinks one failure (its maintainers
declined one: HypothesisWorks/hypothesis#3400); the shrinker reads the module constant
``hypothesis.internal.conjecture.engine.MAX_SHRINKING_SECONDS`` each time it starts shrinking,
which the Hypothesis source keeps monkeypatchable for exactly this ("make it monkeypatchable").
Its sibling ``MAX_SHRINKS``, read after each successful shrink, bounds the same work by a count,
which costs the same on a quiet machine as on a loaded one.
"""

from __future__ import annotations

from hypothesis.internal.conjecture import engine as _engine

__all__ = ["max_shrinking_seconds", "max_shrinks", "set_max_shrinking_seconds", "set_max_shrinks"]


def max_shrinking_seconds() -> int:
    """How long Hypothesis may now shrink one failure."""
    return int(_engine.MAX_SHRINKING_SECONDS)


def set_max_shrinking_seconds(seconds: int) -> int:
    """Bound the shrinking of every later failure to ``seconds``; returns the bound it replaces."""
    previous = int(_engine.MAX_SHRINKING_SECONDS)
    _engine.MAX_SHRINKING_SECONDS = seconds
    return previous


def max_shrinks() -> int:
    """How many successful shrinks Hypothesis may now make of one failure."""
    return int(_engine.MAX_SHRINKS)


def set_max_shrinks(count: int) -> int:
    """Stop shrinking every later failure after ``count`` successful shrinks; returns the bound it replaces."""
    previous = int(_engine.MAX_SHRINKS)
    _engine.MAX_SHRINKS = count
    return previous
