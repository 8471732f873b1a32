"""Hypothesis settings profiles, picked by CONTRACT_HYPOTHESIS_PROFILE (or HYPOTHESIS_PROFILE).

* ``dev``: fast feedback on a laptop (the default outside CI); a run on it is a
  check, never a certificate.
* ``ci``: the default when ``CI`` is set and for certification requests
  (``--adapter``, ``--conformance-report``); derandomized, so every CI run
  explores the same examples and a failure reproduces from the log alone.  Its
  budget is the least a certificate needs (harness/budget.py).
* ``thorough``: many more examples, for nightly runs.

The stateful model test (contracts/test_model.py) takes its own settings per
profile from :func:`model_settings`: an example there is a whole run of steps,
so its counts are chosen separately.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from hypothesis import HealthCheck, Phase, Verbosity, settings

from adapter_contracts.harness.private.hypothesis_api import (
    max_shrinking_seconds,
    max_shrinks,
    set_max_shrinking_seconds,
    set_max_shrinks,
)

__all__ = ["MODEL_SETTINGS", "PROFILES", "STOP_EARLY_SHRINK_SECONDS", "bound_shrink_count", "bound_shrinking",
           "load_profile", "model_settings", "shrink_count", "shrink_seconds"]

# Contracts reset storage inside each example, so function-scoped fixtures are
# deliberate; and real engines make examples slower than Hypothesis expects.
_COMMON = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    print_blob=True,
)

PROFILES = {
    "dev": settings(max_examples=25, **_COMMON),  # type: ignore[arg-type]
    "ci": settings(max_examples=40, derandomize=True, database=None, **_COMMON),  # type: ignore[arg-type]
    "thorough": settings(max_examples=500, verbosity=Verbosity.normal, **_COMMON),  # type: ignore[arg-type]
    "repro": settings(max_examples=1, phases=[Phase.explicit, Phase.reuse], **_COMMON),  # type: ignore[arg-type]
}


#: The model test per profile.  An example is a whole run of steps; each step
#: re-reads only what it could change and each run ends with a whole-state read,
#: so runs are cheap.  Short runs, many of them: 15 steps reach the cascades and
#: the 4th-decimal sums (tests/test_model_catches_defects.py), and 200 runs take
#: seconds on a real engine.  Shrinking stays on: a failure prints the shortest
#: sequence of operations.
MODEL_SETTINGS = {
    "dev": settings(PROFILES["dev"], max_examples=25, stateful_step_count=15),
    "ci": settings(PROFILES["ci"], max_examples=200, stateful_step_count=15),
    "thorough": settings(PROFILES["thorough"], max_examples=1000, stateful_step_count=50),
    "repro": settings(PROFILES["repro"], stateful_step_count=50),
}

_loaded: list[str] = []


def load_profile(environ: os._Environ[str] | dict[str, str] = os.environ, *, certify: bool = False) -> str:
    """Register the harness's profiles and load the chosen one (only when the harness is active).

    ``CONTRACT_HYPOTHESIS_PROFILE`` must name one of ours; ``HYPOTHESIS_PROFILE`` is
    honoured only when it does, since it may name a profile of the user's own project.
    Unnamed, the profile is ``ci`` in CI and for a certification request (``certify``:
    ``--adapter`` or ``--conformance-report``), whose certificate needs that budget, and
    ``dev`` otherwise: a check, fast, and never a certificate.
    """
    name = environ.get("CONTRACT_HYPOTHESIS_PROFILE")
    if not name and environ.get("HYPOTHESIS_PROFILE") in PROFILES:
        name = environ["HYPOTHESIS_PROFILE"]
    if not name:
        name = "ci" if environ.get("CI") or certify else "dev"
    if name not in PROFILES:
        raise ValueError(
            f"CONTRACT_HYPOTHESIS_PROFILE={name!r} is not a profile; choose one of {', '.join(PROFILES)}"
        )
    for profile_name, profile in PROFILES.items():
        settings.register_profile(profile_name, profile)
    settings.load_profile(name)
    _loaded[:] = [name]
    return name


def model_settings(name: str | None = None) -> settings:
    """The active Hypothesis settings with the model counts of profile ``name``
    (default: the profile :func:`load_profile` loaded).

    Only the counts come from :data:`MODEL_SETTINGS`; everything else (derandomize,
    phases, database) stays as loaded, so a run that adjusts the active profile
    (the gallery turns shrinking off) adjusts the model test too.
    """
    chosen = MODEL_SETTINGS[name or (_loaded[0] if _loaded else "dev")]
    return settings(settings(), max_examples=chosen.max_examples, stateful_step_count=chosen.stateful_step_count)


#: How long Hypothesis may shrink one failure when the run is asked to stop early
#: (``-x``/``--maxfail``).  Its own bound is 300 s per failure, for every test and
#: the model test alike: a ``-x -n 2`` run of a broken adapter took over five
#: minutes while the model test kept shrinking.  Twenty seconds still end with a
#: short example for every gallery entry (tests/test_failure_output.py).
STOP_EARLY_SHRINK_SECONDS = 20


def bound_shrinking(seconds: int) -> Callable[[], None]:
    """Make Hypothesis stop shrinking a failure after ``seconds``; returns the undo.

    Hypothesis has no setting for this (the private access is in
    :mod:`adapter_contracts.harness.private.hypothesis_api`).  ``phases`` without
    ``Phase.shrink`` would bound the time too, but print the first, unshrunk example.
    """
    previous = set_max_shrinking_seconds(seconds)

    def restore() -> None:
        set_max_shrinking_seconds(previous)

    return restore


def shrink_seconds() -> int:
    """How long Hypothesis may now shrink one failure."""
    return max_shrinking_seconds()


def bound_shrink_count(count: int) -> Callable[[], None]:
    """Make Hypothesis stop shrinking a failure after ``count`` successful shrinks; returns the undo.

    Unlike :func:`bound_shrinking`, the work this allows does not grow on a quieter
    machine: the suite's own child runs (tests/child_budget.py) use it, so that they
    print the same example and cost the same CPU time wherever they run.
    """
    previous = set_max_shrinks(count)

    def restore() -> None:
        set_max_shrinks(previous)

    return restore


def shrink_count() -> int:
    """How many successful shrinks Hypothesis may now make of one failure."""
    return max_shrinks()
