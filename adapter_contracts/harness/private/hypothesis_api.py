"""Hypothesis' private API, where no public one exists (Hypothesis 6).

Hypothesis has no setting that bounds how long it shrinks one failure (its maintainers
declined one: HypothesisWorks/hypothesis#3400); the shrinker reads the module constant
``hypothesis.internal.conjecture.engine.MAX_SHRINKING_SECONDS`` each time it starts shrinking,
which the Hypothesis source keeps monkeypatchable for exactly this ("make it monkeypatchable").
"""

from __future__ import annotations

from hypothesis.internal.conjecture import engine as _engine

__all__ = ["max_shrinking_seconds", "set_max_shrinking_seconds"]


def max_shrinking_seconds() -> int:
    """How long Hypothesis may now shrink one failure."""
    return int(_engine.MAX_SHRINKING_SECONDS)


def set_max_shrinking_seconds(seconds: int) -> int:
    """Bound the shrinking of every later failure to ``seconds``; returns the bound it replaces."""
    previous = int(_engine.MAX_SHRINKING_SECONDS)
    _engine.MAX_SHRINKING_SECONDS = seconds
    return previous
